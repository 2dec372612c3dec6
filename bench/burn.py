#!/usr/bin/env python3
"""hydra burn against dd, and hydra verify against sha256sum, side by side (root, loop devices)."""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from hydratest import HYDRA, OUT, TOP, sh  # noqa: E402

size = os.environ.get("BENCH_SIZE", "1G")
image = os.path.join(OUT, "bench-burn.img")
tmp = tempfile.mkdtemp(prefix="hydra-bench.", dir=OUT)
os.makedirs(OUT, exist_ok=True)
status, out = sh(f"'{HYDRA}' build --size {size} -o '{image}' '{TOP}/images/tiny.conf'")
if status:
    sys.exit(out)
disk = os.path.join(tmp, "disk.img")
sh(f"truncate -s {os.path.getsize(image) + (64 << 20)} '{disk}'")
dev = sh(f"losetup --find --show '{disk}'")[1].strip()


def timed(cmd):
    sh("sync; echo 3 > /proc/sys/vm/drop_caches")
    t = time.monotonic()
    status, out = sh(cmd)
    if status:
        sys.exit(f"{cmd}: {out}")
    return time.monotonic() - t


try:
    mib = os.path.getsize(image) >> 20
    # Alternating rounds, so neither pays alone for the first allocation of the disk or a
    # busy moment of the machine; the best of each is reported.
    runs = {"dd": [], "burn": []}
    for _ in range(int(os.environ.get("BENCH_ROUNDS", "4"))):
        runs["dd"].append(timed(f"dd if='{image}' of={dev} bs=4M oflag=direct conv=fsync "
                                "status=none"))
        runs["burn"].append(timed(f"'{HYDRA}' burn --yes --progress=none '{image}' {dev}"))
    dd, burn = min(runs["dd"]), min(runs["burn"])
    print(f"image {mib} MiB onto a loop device (best of {len(runs['dd'])} alternating rounds; "
          f"dd {' '.join(f'{x:.2f}' for x in runs['dd'])}, "
          f"burn {' '.join(f'{x:.2f}' for x in runs['burn'])})")
    print(f"dd bs=4M oflag=direct conv=fsync:   {dd:.2f} s")
    print(f"hydra burn (with read-back):        {burn:.2f} s   ratio {burn / dd:.2f}")
    fat = f"MTOOLS_SKIP_CHECK=1 mcopy -n -i '{image}@@1M'"
    files = [line.split()[3] for line in sh(f"{fat} ::/hydra/MANIFEST -")[1].splitlines()
             if line.startswith("file ")]
    for f in files + ["hydra/MANIFEST"]:
        sh(f"mkdir -p '{tmp}/files/{os.path.dirname(f)}' && {fat} ::/{f} '{tmp}/files/{f}'")
    # Alternating rounds here too, caches dropped before each; the best of each.
    checks = {"sha": [], "verify": [], "verify_img": []}
    for _ in range(int(os.environ.get("BENCH_ROUNDS", "4"))):
        checks["sha"].append(timed(f"cd '{tmp}/files' && sha256sum {' '.join(files)}"))
        checks["verify"].append(timed(f"'{HYDRA}' verify --progress=none '{tmp}/files'"))
        checks["verify_img"].append(timed(f"'{HYDRA}' verify --progress=none '{image}'"))
    sha, verify, verify_img = (min(checks[k]) for k in ("sha", "verify", "verify_img"))
    print(f"sha256sum of the payload files:     {sha:.2f} s")
    print(f"hydra verify of the same files:     {verify:.2f} s   ratio {verify / sha:.2f}")
    print(f"hydra verify of the image itself:   {verify_img:.2f} s   ratio {verify_img / sha:.2f}")
finally:
    sh(f"losetup -d {dev}; rm -rf '{tmp}' '{image}'")
