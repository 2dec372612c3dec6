/* Layout v1 in numbers: sizes, offsets and identifiers (pure). */
#include <errno.h>
#include <string.h>

#include "base/util.h"
#include "format/layout.h"
#include "format/le.h"

/*
 * Room for the payload and one staged update beside it, plus slack for the
 * boot loader and FAT metadata; never less than 64 MiB, where a FAT32 with
 * 512-byte clusters still has well over the 65525 clusters it must have.
 */
#define SLACK (32 * HYDRA_MIB)
#define FLOOR (64 * HYDRA_MIB)
/* Partition 1 and the image a build writes stay within what an msdos table addresses. */
#define MBR_LIMIT HYDRA_MBR_LIMIT

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

/*
 * Cluster size for FAT32: small clusters waste little on small media, and
 * the count must stay between 65525 and 0x0ffffff5 for the FAT to read as
 * FAT32. mkfs.fat would pick by the whole disk, not the partition.
 */
static unsigned cluster_sectors(uint64_t part_bytes)
{
	if (part_bytes < 512 * HYDRA_MIB)
		return 1;
	if (part_bytes < 256ULL * 1024 * HYDRA_MIB)
		return 8;
	return 64;
}

static int ids(const char *id, struct hydra_layout *l)
{
	unsigned char b[8];
	char hex[17];

	if (!id || strlen(id) != 16)
		return -EINVAL;
	memcpy(hex, id, 17);
	if (hydra_unhex(hex, b, 8))
		return -EINVAL;
	/* Stored little-endian, so fdisk shows the id's first 8 digits as the disk id. */
	l->disk_id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	for (int i = 0; i < 8; i++)
		l->volid[i] = (char)(id[8 + i] >= 'A' && id[8 + i] <= 'F' ? id[8 + i] + 32 : id[8 + i]);
	l->volid[8] = '\0';
	return 0;
}

int hydra_layout_plan(uint64_t payload, uint64_t size, const char *id, struct hydra_layout *l)
{
	uint64_t part;
	int r;

	memset(l, 0, sizeof(*l));
	r = ids(id, l);
	if (r)
		return r;
	if (payload > (MBR_LIMIT - SLACK) / 2)
		return -EFBIG;
	part = round_up(2 * payload + SLACK, HYDRA_MIB);
	if (part < FLOOR)
		part = FLOOR;
	l->part_start = HYDRA_PART_START;
	l->min_size = l->part_start + part;
	if (size && size < l->min_size)
		return -ENOSPC;
	if (size > MBR_LIMIT)
		return -EFBIG;
	l->size = size ? size : l->min_size;
	/* mkfs.fat counts 1 KiB blocks: the partition ends on one. */
	l->part_bytes = (l->size - l->part_start) / 1024 * 1024;
	l->cluster_sectors = cluster_sectors(l->part_bytes);
	l->disk_bytes = l->size;
	return 0;
}

int hydra_layout_disk(struct hydra_layout *l, uint64_t disk_bytes)
{
	if (disk_bytes < l->size)
		return -ENOSPC;
	l->disk_bytes = disk_bytes;
	l->gpt = disk_bytes > HYDRA_MBR_LIMIT;
	return 0;
}

void hydra_mbr_parse(const unsigned char s[512], struct hydra_mbr *out)
{
	const unsigned char *p1 = s + 446;

	memset(out, 0, sizeof(*out));
	out->signature = s[510] == 0x55 && s[511] == 0xAA;
	out->disk_id = hydra_le32_get(s + 440);
	out->bootable = p1[0] == 0x80;
	out->type = p1[4];
	out->start = (uint64_t)hydra_le32_get(p1 + 8) * 512;
	out->size = (uint64_t)hydra_le32_get(p1 + 12) * 512;
	out->start2 = (uint64_t)hydra_le32_get(p1 + 16 + 8) * 512;
	out->size2 = (uint64_t)hydra_le32_get(p1 + 16 + 12) * 512;
}
