/* Layout v1 planned from numbers: sizes, alignment, identifiers. */
#include <errno.h>
#include <stdint.h>

#include "base/extent.h"
#include "format/gpt.h"
#include "format/layout.h"
#include "harness.h"

#define MIB (1024ULL * 1024)
#define ID "3f2a1b0cdeadBEEF"
#define TIB (1024ULL * 1024 * MIB)
#define GPT_BYTES (HYDRA_GPT_SECTORS * 512)

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Sector 0 and the primary GPT as a reader finds them at the start of the disk. */
struct gpt_disk {
	unsigned char head[HYDRA_TABLE_HEAD];
	unsigned char backup[GPT_BYTES];
};

static int make(const char *id, uint64_t disk, struct gpt_disk *d)
{
	memset(d, 0, sizeof(*d));
	return hydra_gpt_make(id, disk, MIB, 64 * MIB, d->head, d->head + 512, d->backup);
}

static void test_small_payload_gets_the_floor(void)
{
	struct hydra_layout l;

	EQ_INT(hydra_layout_plan(1000, 0, ID, &l), 0);
	EQ_INT(l.part_start, MIB);
	EQ_INT(l.min_size, 65 * MIB);
	EQ_INT(l.size, 65 * MIB);
	EQ_INT(l.part_bytes, 64 * MIB);
	EQ_INT(l.cluster_sectors, 1);
	/* FAT32 needs at least 65525 clusters. */
	OK(l.part_bytes / 512 / l.cluster_sectors > 65525);
}

static void test_room_for_one_staged_update(void)
{
	struct hydra_layout l;
	uint64_t payload = 300 * MIB + 12345;

	EQ_INT(hydra_layout_plan(payload, 0, ID, &l), 0);
	OK(l.part_bytes >= 2 * payload);
	OK(l.part_bytes - 2 * payload >= 16 * MIB);
	EQ_INT(l.size % MIB, 0);
	EQ_INT(l.size, l.min_size);
	EQ_INT(l.size, l.part_start + l.part_bytes);
	EQ_INT(l.cluster_sectors, 8);
	OK(l.part_bytes / 512 / l.cluster_sectors > 65525);
}

static void test_size_overrides_but_not_below_minimum(void)
{
	struct hydra_layout l;

	EQ_INT(hydra_layout_plan(1000, 65 * MIB - 1, ID, &l), -ENOSPC);
	EQ_INT(l.min_size, 65 * MIB);
	EQ_INT(hydra_layout_plan(1000, 65 * MIB, ID, &l), 0);
	/* A size that is no whole number of KiB: the partition ends on one. */
	EQ_INT(hydra_layout_plan(1000, 1000 * MIB + 1536, ID, &l), 0);
	EQ_INT(l.size, 1000 * MIB + 1536);
	EQ_INT(l.part_bytes, 999 * MIB + 1024);
	EQ_INT(l.cluster_sectors, 8);
	EQ_INT(hydra_layout_plan(1000, 300ULL * 1024 * MIB, ID, &l), 0);
	EQ_INT(l.cluster_sectors, 64);
	OK(l.part_bytes / 512 / l.cluster_sectors < 0x0ffffff5);
}

static void test_mbr_limits(void)
{
	struct hydra_layout l;

	EQ_INT(hydra_layout_plan(1000, 2048ULL * 1024 * MIB, ID, &l), 0);
	EQ_INT(hydra_layout_plan(1000, 2048ULL * 1024 * MIB + 512, ID, &l), -EFBIG);
	EQ_INT(hydra_layout_plan(1100ULL * 1024 * MIB, 0, ID, &l), -EFBIG);
}

static void test_identifiers_from_the_image_id(void)
{
	struct hydra_layout l, again;

	EQ_INT(hydra_layout_plan(1000, 0, ID, &l), 0);
	EQ_INT(l.disk_id, 0x3f2a1b0c);
	EQ_STR(l.volid, "deadbeef");
	EQ_INT(hydra_layout_plan(1000, 0, ID, &again), 0);
	OK(memcmp(&l, &again, sizeof(l)) == 0);
	EQ_INT(hydra_layout_plan(1000, 0, "3f2a1b0cdeadbee", &l), -EINVAL);
	EQ_INT(hydra_layout_plan(1000, 0, "3f2a1b0cdeadbeeg", &l), -EINVAL);
	EQ_INT(hydra_layout_plan(1000, 0, "3f2a1b0cdeadbeef0", &l), -EINVAL);
	EQ_INT(hydra_layout_plan(1000, 0, NULL, &l), -EINVAL);
}

static void test_gpt_past_what_msdos_addresses(void)
{
	struct hydra_layout l;

	EQ_INT(hydra_layout_plan(1000, 0, ID, &l), 0);
	EQ_INT(l.disk_bytes, 65 * MIB);
	EQ_INT(l.gpt, 0);
	EQ_INT(hydra_layout_disk(&l, 2 * TIB), 0);
	EQ_INT(l.gpt, 0);
	EQ_INT(hydra_layout_disk(&l, 2 * TIB + 512), 0);
	EQ_INT(l.gpt, 1);
	EQ_INT(l.disk_bytes, 2 * TIB + 512);
	/* Partition 1 stays as planned: only the table changes. */
	EQ_INT(l.part_start, MIB);
	EQ_INT(l.part_bytes, 64 * MIB);
	EQ_INT(hydra_layout_disk(&l, 64 * MIB), -ENOSPC);
}

static void test_gpt_made_and_read_back(void)
{
	static struct gpt_disk d;
	const unsigned char *s0 = d.head, *hdr = d.head + 512, *ent = d.head + 1024;
	const unsigned char *bhdr = d.backup + GPT_BYTES - 512;
	struct hydra_mbr t;
	uint64_t sectors = 3 * TIB / 512;

	EQ_INT(make(ID, 3 * TIB, &d), 0);
	/* The protective MBR: not active (UEFI wants 0), 0xEE from sector 1, capped size. */
	EQ_INT(s0[446], 0x00);
	EQ_INT(s0[450], 0xEE);
	EQ_INT(le(s0 + 454, 4), 1);
	EQ_INT(le(s0 + 458, 4), 0xffffffffULL);
	EQ_INT(le(s0 + 440, 4), 0x3f2a1b0c);
	OK(s0[510] == 0x55 && s0[511] == 0xAA);
	OK(hydra_is_zero(s0, 440));
	/* Headers: primary at 1, backup in the last sector, pointing at each other. */
	OK(!memcmp(hdr, "EFI PART", 8) && !memcmp(bhdr, "EFI PART", 8));
	EQ_INT(le(hdr + 24, 8), 1);
	EQ_INT(le(hdr + 32, 8), sectors - 1);
	EQ_INT(le(bhdr + 24, 8), sectors - 1);
	EQ_INT(le(bhdr + 32, 8), 1);
	EQ_INT(le(bhdr + 72, 8), sectors - 33);
	EQ_INT(le(hdr + 40, 8), 34);
	EQ_INT(le(hdr + 48, 8), sectors - 34);
	OK(!memcmp(hdr + 56, bhdr + 56, 16));
	/* Partition 1: the ESP, legacy BIOS bootable, the same entries at both ends. */
	OK(!memcmp(ent, hydra_gpt_type_esp, 16));
	EQ_INT(le(ent + 32, 8), 2048);
	EQ_INT(le(ent + 40, 8), 2048 + 131072 - 1);
	EQ_INT(le(ent + 48, 8), HYDRA_GPT_LEGACY_BOOT);
	OK(!memcmp(ent, d.backup, GPT_BYTES - 512));
	hydra_table_parse(d.head, sizeof(d.head), &t);
	OK(t.signature && t.gpt && t.gpt_valid && t.bootable);
	EQ_INT(t.type, 0xEE);
	EQ_INT(t.start, MIB);
	EQ_INT(t.size, 64 * MIB);
	EQ_INT(t.size2, 0);
	EQ_INT(t.gpt_backup, 3 * TIB - 512);
	EQ_INT(t.gpt_last, 3 * TIB - 33 * 512);
}

static void test_gpt_same_image_same_bytes(void)
{
	static struct gpt_disk a, b;

	EQ_INT(make(ID, 3 * TIB, &a), 0);
	EQ_INT(make("3f2a1b0cdeadbeef", 3 * TIB, &b), 0);
	OK(!memcmp(&a, &b, sizeof(a)));
	EQ_INT(make("3f2a1b0cdeadbee0", 3 * TIB, &b), 0);
	/* Another image: other disk and partition GUIDs (header bytes 56-71, entry 16-31). */
	OK(memcmp(a.head + 512 + 56, b.head + 512 + 56, 16));
	OK(memcmp(a.head + 1024 + 16, b.head + 1024 + 16, 16));
	/* RFC 9562 version 8, variant 10, in the GUID's on-disk byte order. */
	EQ_INT(a.head[512 + 56 + 7] >> 4, 8);
	EQ_INT(a.head[512 + 56 + 8] >> 6, 2);
}

static void test_gpt_damage_and_misfits(void)
{
	static struct gpt_disk d;
	struct hydra_mbr t;

	EQ_INT(make(ID, 3 * TIB, &d), 0);
	d.head[1024 + 100] ^= 1;              /* an entry: the entries' checksum fails */
	hydra_table_parse(d.head, sizeof(d.head), &t);
	OK(t.gpt && !t.gpt_valid && !t.bootable && !t.size);
	EQ_INT(make(ID, 3 * TIB, &d), 0);
	d.head[512 + 40] ^= 1;                /* the header: its own checksum fails */
	hydra_table_parse(d.head, sizeof(d.head), &t);
	OK(t.gpt && !t.gpt_valid);
	EQ_INT(make(ID, 3 * TIB, &d), 0);
	hydra_table_parse(d.head, 512, &t);   /* sector 0 alone */
	OK(t.gpt && !t.gpt_valid);
	/* Before commit sector 0 is zeros: no table at all. */
	memset(d.head, 0, 512);
	hydra_table_parse(d.head, sizeof(d.head), &t);
	OK(!t.signature && !t.gpt);
	/* What does not fit: partition 1 into the backup GPT, a bad id. */
	EQ_INT(hydra_gpt_make(ID, 65 * MIB, MIB, 64 * MIB, d.head, d.head + 512, d.backup),
	       -ENOSPC);
	EQ_INT(hydra_gpt_make(ID, 3 * TIB, 512, 64 * MIB, d.head, d.head + 512, d.backup),
	       -ENOSPC);
	EQ_INT(make("3f2a1b0cdeadbeeg", 3 * TIB, &d), -EINVAL);
	EQ_INT(make(NULL, 3 * TIB, &d), -EINVAL);
}

static void test_msdos_reads_as_before(void)
{
	unsigned char s[512] = { 0 };
	struct hydra_mbr a, b;

	s[446] = 0x80;
	s[450] = 0x0c;
	s[454] = 0x00;
	s[455] = 0x08;              /* from sector 2048 */
	s[460] = 0x02;              /* 131072 sectors */
	s[510] = 0x55;
	s[511] = 0xAA;
	hydra_mbr_parse(s, &a);
	hydra_table_parse(s, sizeof(s), &b);
	OK(!memcmp(&a, &b, sizeof(a)));
	OK(!b.gpt && b.bootable);
	EQ_INT(b.start, MIB);
	EQ_INT(b.size, 64 * MIB);
}

/* CRC-32 as zlib computes it, table-driven: a second implementation to check the library's. */
static uint32_t crc32_table(const unsigned char *p, size_t n)
{
	static uint32_t t[256];
	uint32_t c = 0xffffffffU;

	if (!t[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;

			for (int k = 0; k < 8; k++)
				v = v & 1 ? 0xedb88320U ^ (v >> 1) : v >> 1;
			t[i] = v;
		}
	while (n--)
		c = t[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The entries' and the header's checksums made again after a change. */
static void reseal(unsigned char *head)
{
	unsigned char *hdr = head + 512;

	put_le(hdr + 88, crc32_table(head + 1024, 128 * 128), 4);
	put_le(hdr + 16, 0, 4);
	put_le(hdr + 16, crc32_table(hdr, 92), 4);
}

static void test_gpt_hostile_numbers(void)
{
	static struct gpt_disk d;
	unsigned char *hdr = d.head + 512, *ent = d.head + 1024;
	struct hydra_mbr t;
	uint32_t want;

	EQ_INT(make(ID, 3 * TIB, &d), 0);
	/* The library's checksums are the ones a second CRC-32 computes. */
	want = (uint32_t)le(hdr + 16, 4);
	put_le(hdr + 16, 0, 4);
	EQ_INT(crc32_table(hdr, 92), want);
	put_le(hdr + 16, want, 4);
	EQ_INT(crc32_table(ent, 128 * 128), le(hdr + 88, 4));
	/* Partition 1 to the last sector a 64-bit number names: no sum wraps. */
	put_le(ent + 40, UINT64_MAX, 8);
	reseal(d.head);
	hydra_table_parse(d.head, sizeof(d.head), &t);
	OK(t.gpt_valid);
	OK(t.start + t.size >= t.start);
	OK(t.start + t.size > 3 * TIB);
	/* Both ends past any disk; a backup header and usable end as large. */
	put_le(ent + 32, UINT64_MAX - 1, 8);
	put_le(hdr + 32, UINT64_MAX, 8);
	put_le(hdr + 48, UINT64_MAX, 8);
	reseal(d.head);
	hydra_table_parse(d.head, sizeof(d.head), &t);
	OK(t.gpt_valid);
	OK(t.start + t.size >= t.start);
	OK(t.start > 3 * TIB && t.gpt_backup > 3 * TIB && t.gpt_last > 3 * TIB);
	/* Entries said to lie past the bytes read: no table. */
	EQ_INT(make(ID, 3 * TIB, &d), 0);
	put_le(hdr + 72, 40, 8);
	reseal(d.head);
	hydra_table_parse(d.head, sizeof(d.head), &t);
	OK(t.gpt && !t.gpt_valid && !t.size);
}

int main(void)
{
	RUN(test_small_payload_gets_the_floor);
	RUN(test_room_for_one_staged_update);
	RUN(test_size_overrides_but_not_below_minimum);
	RUN(test_mbr_limits);
	RUN(test_identifiers_from_the_image_id);
	RUN(test_gpt_past_what_msdos_addresses);
	RUN(test_gpt_made_and_read_back);
	RUN(test_gpt_same_image_same_bytes);
	RUN(test_gpt_damage_and_misfits);
	RUN(test_msdos_reads_as_before);
	RUN(test_gpt_hostile_numbers);
	TESTS_END();
}
