#!/usr/bin/env python3
"""Replicas against plain restic. Two default-image guests, alpha and beta, on a QEMU socket link
(as tests/vm/70-replicas); beta's data volume holds some 34 MiB in about 2000 files. In beta, timed
with /proc/uptime, in the same run: `hydra data backup` to alpha, first and second (one file
changed), beside plain restic doing the same work over the same sftp login into a second
repository on alpha (the first: init and backup; the second: backup, then forget with hydra's
policy and --prune, as the two snapshots fall in one hour); then `hydra data restore --from alpha`
beside `restic restore` alone and beside `restic check --read-data` with it (hydra's restore
checks first). Prints seconds and restic's bytes added. Run as root after
tests/host/15-build-default has made out/test/default.img."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from hydratest import DEFAULT, OUT, VM, free_port, sh  # noqa: E402

NODES = {
    "alpha": ("11111111-2222-3333-4444-555555555555", "52:54:00:00:00:a1"),
    "beta": ("11111111-2222-3333-4444-666666666666", "52:54:00:00:00:b2"),
}
DATA = "/var/lib/hydra/data"
KEYS = f"{DATA}/backup"
# 2000 small files in 20 directories and 4 files of 8 MiB that do not compress: some 34 MiB.
FILL = (f"(cd {DATA} && for d in $(seq 1 20); do mkdir -p small/$d; for f in $(seq 1 100); do "
        "echo \"file $d $f\" > small/$d/$f; done; done; mkdir big && for i in 1 2 3 4; do "
        "dd if=/dev/urandom of=big/$i bs=1M count=8 2>/dev/null; done; sync)")
work = os.path.join(OUT, "bench-replica")
sh(f"rm -rf '{work}' && mkdir -p '{work}'")
disks = {n: os.path.join(work, f"{n}.img") for n in NODES}
for n in NODES:
    sh(f"cp --sparse=always '{DEFAULT}' '{disks[n]}' && truncate -s +256M '{disks[n]}'")


def guest(name, port, listen):
    uuid, mac = NODES[name]
    link = f"socket,id=l0,{'listen' if listen else 'connect'}=127.0.0.1:{port}"
    return VM(f"bench-{name}", [disks[name]], extra=(
        "-smp", "2", "-smbios", f"type=1,uuid={uuid}", "-netdev", link,
        "-device", f"virtio-net-pci,netdev=l0,mac={mac}"))


def must(vm, cmd, timeout=900):
    status, out = vm.run(cmd, timeout)
    if status:
        sys.exit(f"'{cmd}' failed ({status}): {out}")
    return out


def timed(vm, cmd):
    """Seconds CMD took in the guest, and what it printed."""
    out = must(vm, f"s=$(cut -d' ' -f1 /proc/uptime); {cmd} >/tmp/out 2>&1; r=$?; "
               "e=$(cut -d' ' -f1 /proc/uptime); cat /tmp/out; echo $r $s $e")
    r, s, e = out.split()[-3:]
    if r != "0":
        sys.exit(f"'{cmd}' failed: {out}")
    return float(e) - float(s), out


def volume(vm):
    must(vm, "printf bench > /tmp/k && chmod 600 /tmp/k && hydra data init --key-file /tmp/k "
         "--pbkdf-fast && hydra data unlock --key-file /tmp/k", 300)


# Plain restic, as hydra runs it: the same ssh command, password file, exclusions and options.
SSH = (f"ssh -F /dev/null -i {KEYS}/id_ed25519 -o UserKnownHostsFile={KEYS}/known_hosts "
       "-o IdentitiesOnly=yes -o BatchMode=yes -p 22 -l replica-beta 10.77.0.1 -s sftp")
RESTIC = (f"restic --no-cache -r sftp:replica-beta@10.77.0.1:/repo/plain --password-file "
          f"{KEYS}/password -o sftp.command='{SSH}'")
PLAIN = (f"(cd {DATA} && {RESTIC} backup --json --host beta --tag hydra --one-file-system "
         f"--exclude '{DATA}/replicas/*/repo' --exclude {DATA}/lost+found "
         f"--exclude {DATA}/.hydra-restore . | tail -1)")


def added(text):
    m = re.search(r'"data_added":(\d+)', text) or re.search(r"(\d+) bytes added", text)
    return int(m.group(1)) if m else -1


def main():
    port = free_port()
    rows = []
    with guest("alpha", port, True) as alpha:
        time.sleep(3)
        with guest("beta", port, False) as beta:
            alpha.wait_login()
            volume(alpha)
            beta.wait_login()
            volume(beta)
            must(beta, FILL)
            files, size = must(beta, f"find {DATA} -type f | wc -l; du -sm {DATA} | cut -f1").split()
            out = beta.run("hydra data backup", 300)[1]
            pub = re.search(r"^\s+(ssh-ed25519 \S+ hydra replica key of node beta)$", out, re.M)
            must(alpha, f"echo '{pub.group(1)}' > /tmp/b.pub && hydra data replicas --accept "
                 "beta --key /tmp/b.pub")
            t, out = timed(beta, "hydra data backup --progress=none")
            rows.append(("hydra data backup, first (makes the repository)", t, added(out)))
            t, out = timed(beta, f"{RESTIC} init >/dev/null && {PLAIN}")
            rows.append(("restic init, restic backup", t, added(out)))
            must(beta, f"echo changed >> {DATA}/small/1/1")
            t, out = timed(beta, "hydra data backup --progress=none")
            rows.append(("hydra data backup, second (one file changed; forget, prune)", t,
                         added(out)))
            t, out = timed(beta, f"{PLAIN} && {RESTIC} forget --host beta --keep-hourly 24 "
                           "--keep-daily 7 --keep-weekly 4 --prune >/dev/null")
            rows.append(("restic backup, restic forget --prune", t, added(out)))
            t, _ = timed(beta, "hydra data restore --from alpha --to /tmp/h")
            rows.append(("hydra data restore --from alpha (check, then restore)", t, -1))
            t, _ = timed(beta, f"{RESTIC} restore latest --host beta --target /tmp/p")
            rows.append(("restic restore", t, -1))
            t, _ = timed(beta, f"{RESTIC} check --read-data >/dev/null && {RESTIC} restore "
                         "latest --host beta --target /tmp/q")
            rows.append(("restic check --read-data, restic restore", t, -1))
            alpha.poweroff()
            beta.poweroff()
    print(f"beta's tree: {files} files, {size} MiB")
    for what, t, b in rows:
        print(f"{what}: {t:.1f} s" + (f", {b} bytes added" if b >= 0 else ""))
    sh(f"rm -rf '{work}'")


main()
