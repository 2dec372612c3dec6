/* Layout v1 planned from numbers: sizes, alignment, identifiers. */
#include <errno.h>

#include "format/layout.h"
#include "harness.h"

#define MIB (1024ULL * 1024)
#define ID "3f2a1b0cdeadBEEF"

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

int main(void)
{
	RUN(test_small_payload_gets_the_floor);
	RUN(test_room_for_one_staged_update);
	RUN(test_size_overrides_but_not_below_minimum);
	RUN(test_mbr_limits);
	RUN(test_identifiers_from_the_image_id);
	TESTS_END();
}
