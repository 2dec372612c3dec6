#!/usr/bin/env python3
"""hydra burn against dd, and hydra verify against sha256sum, side by side (root).

Burn and dd write the same 1 GiB image (tiny built with --size 1G: 129 MiB of data, the rest
zeros) onto two kinds of target, each made afresh before every run so that both tools start
from the same state: a loop device over a new sparse backing file (the loop device zeroes a
range itself by punching its backing file, which burn asks it to do) and a new plain file
(burn punches holes in it itself; dd has neither). A target is never reused, so neither tool
pays for blocks the other allocated or freed. Each run reports the bytes that landed: the bytes
allocated afterwards to the target file or to the loop device's backing file. dd is measured
as users run it, and also with conv=sparse, which seeks over zero blocks: right on a target
made afresh, as here, wrong on a stick that held anything. Caches are dropped before each run.
Alternating rounds, BENCH_ROUNDS (default 4); the best of each is compared."""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from hydratest import HYDRA, OUT, TOP, sh  # noqa: E402
sys.path.insert(0, os.path.dirname(__file__))
from benchlib import loadavg, measured_commit, must  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
size = os.environ.get("BENCH_SIZE", "1G")
os.makedirs(OUT, exist_ok=True)
image = os.path.join(OUT, "bench-burn.img")
tmp = tempfile.mkdtemp(prefix="hydra-bench.", dir=OUT)



def timed(cmd):
    sh("sync; echo 3 > /proc/sys/vm/drop_caches")
    t = time.monotonic()
    must(cmd)
    return time.monotonic() - t


def on_loop(tool_cmd):
    """TOOL_CMD (with {target}) onto a loop device over a new sparse file: seconds, bytes
    allocated to the backing file afterwards."""
    backing = os.path.join(tmp, "backing.img")
    must(f"rm -f '{backing}' && truncate -s {os.path.getsize(image) + (64 << 20)} '{backing}'")
    dev = must(f"losetup --find --show '{backing}'").strip()
    try:
        seconds = timed(tool_cmd.format(target=dev))
        must(f"losetup -d {dev}")
        dev = None
        return seconds, os.stat(backing).st_blocks * 512
    finally:
        if dev:
            sh(f"losetup -d {dev}")
        os.unlink(backing)


def on_file(tool_cmd):
    """TOOL_CMD onto a new plain file: seconds, bytes allocated to it afterwards."""
    target = os.path.join(tmp, "target.img")
    must(f"rm -f '{target}' && truncate -s {os.path.getsize(image)} '{target}'")
    try:
        seconds = timed(tool_cmd.format(target=f"'{target}'"))
        return seconds, os.stat(target).st_blocks * 512
    finally:
        os.unlink(target)


DD = f"dd if='{image}' of={{target}} bs=4M oflag=direct conv=fsync,notrunc status=none"
DD_FILE = f"dd if='{image}' of={{target}} bs=4M conv=fsync,notrunc status=none"
DD_SPARSE = f"dd if='{image}' of={{target}} bs=4M conv=sparse,fsync,notrunc status=none"
BURN = f"'{HYDRA}' burn --yes --progress=none '{image}' {{target}}"

load_start = loadavg()
commit = measured_commit()
try:
    must(f"'{HYDRA}' build --size {size} -o '{image}' '{TOP}/images/tiny.conf'")
    mib = os.path.getsize(image) / 2**20
    data = int(must(f"du --block-size=1 '{image}'").split()[0]) / 2**20
    runs = {k: [] for k in ("dd_loop", "sparse_loop", "burn_loop", "dd_file", "sparse_file",
                            "burn_file")}
    for _ in range(ROUNDS):
        runs["dd_loop"].append(on_loop(DD))
        runs["sparse_loop"].append(on_loop(DD_SPARSE))
        runs["burn_loop"].append(on_loop(BURN))
        runs["dd_file"].append(on_file(DD_FILE))
        runs["sparse_file"].append(on_file(DD_SPARSE))
        runs["burn_file"].append(on_file(BURN))
    best = {k: min(v) for k, v in runs.items()}
    print(f"commit {commit}; load average (1/5/15 min) {load_start} at the start, {loadavg()} "
          f"at the end; image {mib:.0f} MiB ({data:.1f} MiB allocated); {ROUNDS} alternating "
          f"rounds, each onto a target made afresh, caches dropped; best of each")
    for k, v in runs.items():
        print(f"  {k}: " + " ".join(f"{s:.2f}" for s, _ in v))
    print()
    print("| target | dd | dd conv=sparse | hydra burn (with read-back) | burn / dd | "
          "burn / dd conv=sparse | allocated after: dd, sparse, burn |")
    print("|---|---|---|---|---|---|---|")
    for target, kind, how in (("loop device, new sparse backing file", "loop",
                               "`bs=4M oflag=direct conv=fsync`"),
                              ("plain file, new", "file", "`bs=4M conv=fsync`")):
        (d, db), (p, pb), (b, bb) = (best[f"{k}_{kind}"] for k in ("dd", "sparse", "burn"))
        print(f"| {target} | {d:.2f} s ({how}) | {p:.2f} s | {b:.2f} s | {b / d:.2f} | "
              f"{b / p:.2f} | {db / 2**20:.0f}, {pb / 2**20:.0f}, {bb / 2**20:.0f} MiB |")
    fat = f"MTOOLS_SKIP_CHECK=1 mcopy -n -i '{image}@@1M'"
    files = [line.split()[3] for line in must(f"{fat} ::/hydra/MANIFEST -").splitlines()
             if line.startswith("file ")]
    # The whole medium (verify checks the boot menus too); sha256sum hashes the payload alone.
    must(f"mkdir -p '{tmp}/files' && MTOOLS_SKIP_CHECK=1 mcopy -s -n -i '{image}@@1M' ::/ "
         f"'{tmp}/files/'")
    checks = {"sha": [], "verify": [], "verify_img": []}
    for _ in range(ROUNDS):
        checks["sha"].append(timed(f"cd '{tmp}/files' && sha256sum {' '.join(files)}"))
        checks["verify"].append(timed(f"'{HYDRA}' verify --progress=none '{tmp}/files'"))
        checks["verify_img"].append(timed(f"'{HYDRA}' verify --progress=none '{image}'"))
    sha, verify, verify_img = (min(checks[k]) for k in ("sha", "verify", "verify_img"))
    print()
    print(f"sha256sum of the payload files:     {sha:.2f} s")
    print(f"hydra verify of the same files:     {verify:.2f} s   ratio {verify / sha:.2f}")
    print(f"hydra verify of the image itself:   {verify_img:.2f} s   ratio {verify_img / sha:.2f}")
finally:
    sh(f"rm -rf '{tmp}' '{image}'")
