#!/usr/bin/env python3
"""tiny image figures: build wall time (warm apt cache), sizes, QEMU start to root shell (TCG)."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from hydratest import HYDRA, OUT, TOP, VM, sh  # noqa: E402

image = os.path.join(OUT, "bench-tiny.img")
os.makedirs(OUT, exist_ok=True)
sh(f"'{HYDRA}' build -o '{image}' '{TOP}/images/tiny.conf'")  # warms the kernel cache
times = []
for _ in range(3):
    t = time.monotonic()
    status, out = sh(f"'{HYDRA}' build -o '{image}' '{TOP}/images/tiny.conf'")
    times.append(time.monotonic() - t)
    if status:
        sys.exit(out)
print(f"tiny build, warm cache: {min(times):.1f} s (best of 3; {', '.join(f'{x:.1f}' for x in times)})")


def member_size(path):
    status, out = sh(f"MTOOLS_SKIP_CHECK=1 mcopy -n -i '{image}@@1M' ::/{path} - | wc -c")
    return int(out) / 2**20


print(f"image: {os.path.getsize(image) / 2**20:.1f} MiB; initrd.img {member_size('boot/initrd.img'):.1f} MiB; "
      f"system.sqfs {member_size('live/system.sqfs'):.1f} MiB; vmlinuz {member_size('boot/vmlinuz'):.1f} MiB")
for firmware, uefi in (("SeaBIOS", False), ("OVMF", True)):
    runs = []
    for i in range(3):
        with VM(f"bench-{firmware}-{i}", [(image, "if=virtio,snapshot=on")], uefi=uefi) as vm:
            vm.wait_shell()
            runs.append(vm.elapsed())
            vm.poweroff()
    print(f"QEMU start to root shell, {firmware}, TCG: {min(runs):.1f} s "
          f"(best of 3; {', '.join(f'{x:.1f}' for x in runs)})")
os.unlink(image)
