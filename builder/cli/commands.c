/*
 * The table of subcommands and the mapping of library results to exit
 * codes: apart from main.c, so that a test can link the commands and walk
 * their tables.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "trustopt.h"

const struct hydra_cmd hydra_cmds[] = {
	{ "build", cmd_build, 0,
	  "hydra build [-o OUT] [--size SIZE] [--sign KEY] [--no-cache] RECIPE\n"
	  "  -o, --output OUT   write the image to OUT (default out/NAME.img)\n"
	  "      --size SIZE    medium size, like 2G (default: the recipe's, else planned)\n"
	  "      --sign KEY     sign the MANIFEST with the private key KEY (hydra keygen)\n"
	  "      --no-cache     make every stage again instead of taking it from out/cache",
	  "assemble an image from a recipe" },
	{ "run", cmd_run, 0,
	  "hydra run [--uefi] [--disk FILE]... [--memory MB] [--snapshot] [--print] IMAGE [-- QEMU-ARGS]\n"
	  "      --uefi         boot with OVMF instead of the BIOS\n"
	  "      --disk FILE    another virtio raw disk (repeatable)\n"
	  "      --memory MB    guest memory (default 1024)\n"
	  "      --snapshot     discard every write to the disks when QEMU exits\n"
	  "      --print        print the QEMU command line instead of running it\n"
	  "  HYDRA_QEMU_ACCEL=kvm uses KVM instead of TCG",
	  "boot an image in QEMU" },
	{ "burn", cmd_burn, F_DESTRUCTIVE,
	  "hydra burn [--yes] [--dry-run] [--key FILE] [--require-signature] IMAGE DEVICE\n"
	  "  -y, --yes          no typed confirmation (the safety rules still hold)\n"
	  "  -n, --dry-run      show the plan, write nothing\n"
	  "      --progress=MODE  auto (a line on a terminal), none or json\n"
	  CLI_TRUST_USAGE,
	  "write an image to a stick or disk, verified" },
	{ "clone", cmd_clone, F_DESTRUCTIVE | F_NEEDS_ROOT,
	  "hydra clone [--yes] [--dry-run] [--as NODE] [--data none|empty|copy] [--key-file F] DEVICE\n"
	  "  -y, --yes          no typed confirmation (the safety rules still hold)\n"
	  "  -n, --dry-run      show the plan, write nothing\n"
	  "      --as NODE      the clone boots as NODE (hydra.node=NODE)\n"
	  "      --data MODE    none (default); empty: partition 2, a new LUKS2 volume;\n"
	  "                     copy: the same, with this node's data files copied in\n"
	  "      --key-file F   the new volume's passphrase (else asked twice)\n"
	  "      --pbkdf-fast   argon2id at 4 iterations and 32 KiB, for tests only\n"
	  "      --source DIR   the medium to clone (default: the running one)\n"
	  "      --progress=MODE  auto, none or json\n"
	  CLI_TRUST_USAGE,
	  "replicate the running node onto DEVICE" },
	{ "verify", cmd_verify, 0,
	  "hydra verify [--quick] [--key FILE] [--require-signature] [IMAGE|DEVICE]\n"
	  "      --quick        sizes only\n"
	  "      --progress=MODE  auto, none or json\n"
	  CLI_TRUST_USAGE "\n"
	  "  without IMAGE or DEVICE, the medium this node runs from",
	  "check a medium against its MANIFEST" },
	{ "keygen", cmd_keygen, 0,
	  "hydra keygen [--force-dir] NAME\n"
	  "      --force-dir    make NAME's directory (mode 0700) when it is missing\n"
	  "  writes NAME.key (private, 0600) and NAME.pub; never overwrites",
	  "make an ed25519 key pair for signing media" },
	{ "data", cmd_data, F_NEEDS_ROOT,
	  "hydra data init|unlock|lock|status|snapshot|restore [OPTIONS] [FILE]\n"
	  "  init               add partition 2 after partition 1: LUKS2 (argon2id,\n"
	  "                     aes-xts-plain64), ext4 inside; asks a new passphrase\n"
	  "  unlock             open it (three tries), mount it on " "/var/lib/hydra/data" ",\n"
	  "                     bind the recipe's persisted paths from it\n"
	  "  lock               unmount it and close it\n"
	  "  status             absent, locked, unlocked or mounted, and sizes\n"
	  "  snapshot -o FILE   its files into a tar.zst with a header (node, image, time)\n"
	  "  restore FILE       a snapshot into the empty, mounted volume\n"
	  "  -d, --device DISK  a disk or image file instead of the running medium's disk\n"
	  "  -s, --size SIZE    init: partition size (default: all the free space)\n"
	  "      --key-file F   the passphrase is the whole of F (mode 0600 or stricter)\n"
	  "      --force        init: replace an existing partition 2 (asks unless --yes)\n"
	  "  -y, --yes          no typed confirmation for --force\n"
	  "      --mount DIR    unlock --device: mount the volume on DIR\n"
	  "      --from DIR     snapshot: the tree to save (default: the mounted volume)\n"
	  "      --to DIR       restore: the directory to fill (default: the mounted volume)\n"
	  "      --pbkdf-fast   init: argon2id at 4 iterations and 32 KiB, for tests only:\n"
	  "                     such a passphrase is cheap to guess",
	  "the encrypted data partition" },
	{ "hw", cmd_hw, 0, "hydra hw probe|match|list [OPTIONS] (see 'hydra hw --help')", "record this machine / which node is this" },
	{ 0 },
};

const struct hydra_cmd *cli_find_cmd(const char *name)
{
	for (const struct hydra_cmd *c = hydra_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/*
 * The safety checks refuse with these; everything they return is listed
 * here so that a refusal is never reported as a plain failure.
 */
static const struct {
	int err;
	int code;
} exit_codes[] = {
	{ EBADMSG, EXIT_VERIFY },      /* a hash or signature does not match */
	{ EKEYREJECTED, EXIT_VERIFY }, /* signed, but by a key nobody trusts */
	{ EPERM, EXIT_REFUSED },       /* not allowed: running medium, no root, no --yes */
	{ EBUSY, EXIT_REFUSED },       /* target mounted or in use */
	{ EROFS, EXIT_REFUSED },       /* target read-only */
	{ ENOSPC, EXIT_REFUSED },      /* target too small for the image */
	{ ECANCELED, EXIT_REFUSED },   /* confirmation not given */
	{ EEXIST, EXIT_REFUSED },      /* a data partition is there already (no --force) */
	{ ENOTEMPTY, EXIT_REFUSED },   /* restoring over existing files */
};

int cli_exit_code(int r)
{
	if (r >= 0)
		return r;
	for (size_t i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++)
		if (exit_codes[i].err == -r)
			return exit_codes[i].code;
	return EXIT_FAILED;
}
