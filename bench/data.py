#!/usr/bin/env python3
"""The data layer's rates. In one tiny guest: the data copy of `hydra clone --data copy`
(from its "copying the data" line to its end: copy, count of both trees, unmount, close)
against `cp -a` between the same two volumes (then sync). On the host: `hydra data snapshot` / `restore` against `tar --zstd` of the
same tree (the tiny image has no zstd(1) nor GNU tar). Run as root."""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from hydratest import HYDRA, OUT, TOP, VM, sh  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
# 2000 small files in 20 directories, and 4 files of 8 MiB: some 40 MiB.
FILL = ("(cd DIR && for d in $(seq 1 20); do mkdir -p small/$d; for f in $(seq 1 100); do "
        "echo \"file $d $f\" > small/$d/$f; done; done; mkdir big && for i in 1 2 3 4; do "
        "dd if=/dev/urandom of=big/$i bs=1M count=8 2>/dev/null; done; sync)")
image = os.path.join(OUT, "bench-data.img")
target = os.path.join(OUT, "bench-data-target.img")
os.makedirs(OUT, exist_ok=True)
status, out = sh(f"'{HYDRA}' build -o '{image}' '{TOP}/images/tiny.conf'")
if status:
    sys.exit(out)
sh(f"truncate -s 512M '{image}' && rm -f '{target}' && truncate -s 512M '{target}'")


def timed(vm, cmd):
    status, out = vm.run(f"s=$(cut -d' ' -f1 /proc/uptime); {cmd} >/tmp/out 2>&1; r=$?; "
                         f"e=$(cut -d' ' -f1 /proc/uptime); echo $r $s $e", 900)
    r, s, e = out.split()[-3:]
    if r != "0":
        sys.exit(f"'{cmd}' failed: {vm.run('cat /tmp/out')[1]}")
    return float(e) - float(s)


CLONE = "hydra clone --yes --progress=none --key-file /tmp/k --pbkdf-fast --data copy /dev/vdb"


def copy_phase(vm):
    """Seconds from the clone's "copying the data" line to its end, stamped in the guest."""
    status, out = vm.run(f"{CLONE} 2>&1 | while read -r l; do echo \"$(cut -d' ' -f1 "
                         "/proc/uptime) $l\"; done; cut -d' ' -f1 /proc/uptime", 900)
    start = re.search(r"^([\d.]+) copying the data", out, re.M)
    if not start or "committed" not in out:
        sys.exit(f"clone failed: {out}")
    return float(out.split()[-1]) - float(start.group(1))
with VM("bench-data", [image, target]) as vm:
    vm.wait_shell()
    vm.run("printf bench > /tmp/k && chmod 600 /tmp/k && "
           "hydra data init --key-file /tmp/k --pbkdf-fast && hydra data unlock --key-file /tmp/k",
           300)
    vm.run(FILL.replace("DIR", "/var/lib/hydra/data"), 900)
    used = vm.run("du -sk /var/lib/hydra/data | cut -f1")[1].split()[-1]
    runs = {"copy": [], "cp": []}
    for _ in range(ROUNDS):
        runs["copy"].append(copy_phase(vm))
        # cp -a onto the same volume, emptied; mounted as the clone's copy was.
        vm.run("hydra data unlock --device /dev/vdb --key-file /tmp/k --mount /mnt/t && "
               "rm -rf /mnt/t/* && sync")
        runs["cp"].append(timed(vm, "cp -a /var/lib/hydra/data/. /mnt/t/ && sync"))
        vm.run("hydra data lock --device /dev/vdb")
    vm.poweroff()
copy, cp = min(runs["copy"]), min(runs["cp"])
print("rounds: " + "; ".join(f"{k} {' '.join(f'{x:.2f}' for x in v)}" for k, v in runs.items()))
print(f"data: {int(used) / 1024:.1f} MiB in 2004 files")
print(f"clone --data copy, its data phase (best of {ROUNDS}): {copy:.2f} s")
print(f"cp -a onto the same volume, then sync:           {cp:.2f} s  ratio {copy / cp:.2f}")

# On the host: snapshot and restore against tar --zstd, the same tree.
tmp = tempfile.mkdtemp(prefix="hydra-bench.")
src = os.path.join(tmp, "src")
os.makedirs(src)
sh(FILL.replace("DIR", src))
best = {"snapshot": [], "tar -c": [], "restore": [], "tar -x": []}
for i in range(ROUNDS):
    for name, cmd in (
            ("snapshot", f"'{HYDRA}' data snapshot --from '{src}' -o {tmp}/s.tar.zst"),
            ("tar -c", f"tar --zstd -cf {tmp}/t.tar.zst -C '{src}' ."),
            ("restore", f"rm -rf {tmp}/r && mkdir {tmp}/r && "
                        f"'{HYDRA}' data restore --to {tmp}/r {tmp}/s.tar.zst"),
            ("tar -x", f"rm -rf {tmp}/x && mkdir {tmp}/x && "
                       f"tar --zstd -xpf {tmp}/t.tar.zst -C {tmp}/x")):
        t = time.monotonic()
        status, out = sh(cmd)
        best[name].append(time.monotonic() - t)
        if status:
            sys.exit(f"'{cmd}' failed: {out}")
sizes = {n: os.path.getsize(f"{tmp}/{n}") for n in ("s.tar.zst", "t.tar.zst")}
b = {k: min(v) for k, v in best.items()}
print(f"host: snapshot {b['snapshot']:.3f} s, tar --zstd -c {b['tar -c']:.3f} s, "
      f"ratio {b['snapshot'] / b['tar -c']:.2f}; sizes {sizes['s.tar.zst']} / {sizes['t.tar.zst']}")
print(f"host: restore {b['restore']:.3f} s, tar --zstd -x {b['tar -x']:.3f} s, "
      f"ratio {b['restore'] / b['tar -x']:.2f}")
sh(f"rm -rf '{tmp}' '{image}' '{target}'")
