#!/usr/bin/env python3
"""The default image's initramfs, this tree's beside an older revision's (main by default):
initrd.img's size compressed and unpacked, its largest files, and the time from QEMU's start
(TCG, SeaBIOS, 1 GiB, the medium on virtio with snapshot=on) to hydra-init's switch to the new
root ("hydra-init: starting /sbin/init" on the serial console), old and new in alternate rounds,
best of N each, with two parts of it: syslinux loading initrd.img and the kernel unpacking it.
Both images are built here from images/default.conf with SOURCE_DATE_EPOCH set and the stage
cache in out/cache/: this tree's with build/hydra (run make first), the old one with the old
revision's hydra, built from `git archive REV` in out/bench/initrd/ and kept there for the next
run. Run as root.

    bench/initrd.py [--old-rev REV | --old-image IMAGE] [--rounds N]
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from hydratest import HYDRA, TOP, VM, VMError, sh  # noqa: E402

WORK = os.path.join(TOP, "out", "bench", "initrd")
SWITCH = rb"hydra-init: starting \S+"
FIRST = rb"hydra-init: "


def run(cmd, **kw):
    status, out = sh(cmd, **kw)
    if status:
        sys.exit(f"'{cmd}' failed with status {status}:\n{out[-3000:]}")
    return out


def git(*args):
    return subprocess.run(["git", "-C", TOP, *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def build(hydra, top, image):
    """images/default.conf of the project at TOP into IMAGE with that project's HYDRA."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000",
               HYDRA_CACHE=os.path.join(TOP, "out", "cache"))
    env.pop("HYDRA_INIT", None)
    t = time.monotonic()
    run(f"'{hydra}' build -o '{image}' '{top}/images/default.conf'", env=env)
    print(f"# built {os.path.relpath(image, TOP)} in {time.monotonic() - t:.0f} s")


def old_image(rev):
    """The default image as REV's hydra builds it, made once and kept."""
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    image = os.path.join(WORK, f"old-{commit[:12]}.img")
    if os.path.exists(image):
        return image, commit
    src = os.path.join(WORK, f"src-{commit[:12]}")
    run(f"rm -rf '{src}' && mkdir -p '{src}' && git -C '{TOP}' archive {commit} | tar -x -C '{src}'")
    run(f"make -C '{src}' -j2")
    # hydra build writes the image only once every stage succeeded.
    build(os.path.join(src, "build", "hydra"), src, image)
    run(f"rm -rf '{src}'")
    return image, commit


def initrd_of(image, out):
    run(f"MTOOLS_SKIP_CHECK=1 mcopy -n -i '{image}@@1M' ::/boot/initrd.img '{out}'")
    return out


def sizes(initrd):
    """(compressed, unpacked) bytes and [(bytes, path)] of its files, largest first."""
    unpacked = int(run(f"zstd -dc '{initrd}' | wc -c"))
    listing = run(f"zstd -dc '{initrd}' | cpio -itv --quiet")
    files = []
    for line in listing.splitlines():
        f = line.split()
        if len(f) >= 9 and f[0].startswith("-"):
            files.append((int(f[4]), " ".join(f[8:])))
    return os.path.getsize(initrd), unpacked, sorted(files, reverse=True)


def boot(image, name):
    """Seconds: syslinux loading initrd.img (on the host's clock, from its "Loading" to its
    "ok"), the kernel unpacking it (on the guest's, from its log), QEMU's start to hydra-init's
    first line and to its switch."""
    with VM(name, [(image, "if=virtio,snapshot=on")]) as vm:
        vm.expect(rb"Loading /boot/initrd\.img\.\.\.", 300)
        t = vm.elapsed()
        vm.expect(rb"ok", 300)
        load = vm.elapsed() - t
        start = float(vm.expect(rb"\[ *(\d+\.\d+)\] Trying to unpack rootfs", 300).group(1))
        end = float(vm.expect(rb"\[ *(\d+\.\d+)\] Freeing initrd memory", 300).group(1))
        vm.expect(FIRST, 300)
        first = vm.elapsed()
        vm.expect(SWITCH, 300)
        return load, end - start, first, vm.elapsed()


def row(label, old, new):
    print(f"{label:26}  {old!s:>30}  {new!s:>30}")


def mib(n):
    return f"{n / 2**20:.1f} MiB"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--old-rev", default="main", help="the revision to compare with (main)")
    p.add_argument("--old-image", help="an old default image already built (instead of --old-rev)")
    p.add_argument("--rounds", type=int, default=3, help="boots of each image (3)")
    a = p.parse_args()
    os.makedirs(WORK, exist_ok=True)
    if a.old_image:
        old, old_what = os.path.abspath(a.old_image), a.old_image
    else:
        old, commit = old_image(a.old_rev)
        old_what = f"{a.old_rev} {commit[:7]}"
    new = os.path.join(WORK, "new.img")
    dirty = " with changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    new_what = f"{git('rev-parse', '--short', 'HEAD')}{dirty}"
    build(HYDRA, TOP, new)

    figures = {}
    for what, image in (("old", old), ("new", new)):
        figures[what] = sizes(initrd_of(image, os.path.join(WORK, f"initrd-{what}.img")))
    row("", f"old ({old_what})", f"new ({new_what})")
    row("initrd.img, zstd", mib(figures["old"][0]), mib(figures["new"][0]))
    row("initrd.img, unpacked", mib(figures["old"][1]), mib(figures["new"][1]))
    row("files", len(figures["old"][2]), len(figures["new"][2]))
    for what in ("old", "new"):
        print(f"largest files, {what}:")
        for n, path in figures[what][2][:10]:
            print(f"  {n / 2**10:9.0f} KiB  {path}")

    load = os.getloadavg()
    runs = {"old": [], "new": []}
    for i in range(a.rounds):
        for what, image in (("old", old), ("new", new)):
            try:
                runs[what].append(boot(image, f"bench-initrd-{what}-{i}"))
            except VMError as e:
                sys.exit(f"the {what} image did not reach hydra-init's switch: {e}")
    for label, k in (("syslinux loads initrd.img", 0), ("the kernel unpacks it", 1),
                     ("QEMU start to hydra-init", 2), ("QEMU start to the switch", 3)):
        cells = []
        for what in ("old", "new"):
            t = [r[k] for r in runs[what]]
            cells.append(f"{min(t):.1f} s ({', '.join(f'{x:.1f}' for x in t)})")
        row(label, *cells)
    after = os.getloadavg()
    print(f"best of {a.rounds}, TCG, alternate rounds; load average "
          f"{' '.join(f'{x:.2f}' for x in load)} before the boots, "
          f"{' '.join(f'{x:.2f}' for x in after)} after, on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
