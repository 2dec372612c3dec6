#!/usr/bin/env python3
"""The default image's overlay-only rebuild: one overlay file changed since the last build, the
stage cache warm (neither mmdebstrap nor mksquashfs runs), with this tree's hydra and with an
older revision's (the merge base with main by default), in alternate rounds, each build timed
on the wall clock from the start of `hydra build` to its exit. Each side keeps its own stage
cache under out/bench/rebuild/ (the key holds the hydra program, so one cache would make
system.sqfs again at every change of side) and shares out/cache/'s apt archive, kernel
packages and kernels; its first build, untimed, fills it. Then the new side's stages and
writer steps once more with -v, and what the boot loader's install costs of it (and of that,
syslinux's sync(), seen with strace -T in one more rebuild). The old
revision is built from `git archive REV` in out/bench/rebuild/ with make B=build-old. Run as
root after make, with the default image built once (tests/host/15-build-default).

    bench/rebuild.py [--old-rev REV] [--rounds N]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import loadavg, measured_commit, must  # noqa: E402
from hydratest import HYDRA, TOP  # noqa: E402

WORK = os.path.join(TOP, "out", "bench", "rebuild")
SHARED = ("apt-archives", "debs", "kernel")


def git(*args):
    return subprocess.run(["git", "-C", TOP, *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def old_hydra(rev):
    """REV's hydra, built once in WORK and kept; (path, commit)."""
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    src = os.path.join(WORK, f"src-{commit[:12]}")
    hydra = os.path.join(src, "build-old", "hydra")
    if not os.path.exists(hydra):
        must(f"rm -rf '{src}' && mkdir -p '{src}' && "
             f"git -C '{TOP}' archive {commit} | tar -x -C '{src}'")
        must(f"make -C '{src}' -j2 B=build-old")
    return hydra, commit


def side(name):
    """A project tree (the default recipe and a copy of the overlays) and a stage cache."""
    proj = os.path.join(WORK, f"project-{name}")
    cache = os.path.join(WORK, f"cache-{name}")
    shutil.rmtree(proj, ignore_errors=True)
    os.makedirs(os.path.join(proj, "images"))
    # Copies, not links: a build runs only hooks inside its project.
    for d in ("hooks", "overlays", "hardware-db"):
        shutil.copytree(os.path.join(TOP, d), os.path.join(proj, d), symlinks=True)
    shutil.copy(os.path.join(TOP, "images", "default.conf"), os.path.join(proj, "images"))
    os.makedirs(cache, exist_ok=True)
    for d in SHARED:
        link = os.path.join(cache, d)
        if not os.path.lexists(link):
            os.symlink(os.path.join(TOP, "out", "cache", d), link)
    return proj, cache


def build(hydra, proj, cache, image, verbose=False, prefix=()):
    """Seconds of one build and its output; the bench stops when it fails. PREFIX: arguments
    before hydra's own, HYDRA then being a program that runs it (strace)."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", HYDRA_CACHE=cache)
    cmd = [hydra, *prefix] + (["-v"] if verbose else []) + [
        "build", "-o", image, os.path.join(proj, "images", "default.conf")]
    t = time.monotonic()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    took = time.monotonic() - t
    out = p.stdout.decode(errors="replace")
    if p.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{out[-3000:]}")
    return took, out


def change_overlay(proj, n):
    with open(os.path.join(proj, "overlays", "common", "etc", "hydra", "bench-marker"), "w") as f:
        f.write(f"round {n}\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--old-rev", help="the revision to compare with (the merge base with main)")
    p.add_argument("--rounds", type=int, default=7, help="rebuilds of each side (7)")
    a = p.parse_args()
    os.makedirs(WORK, exist_ok=True)
    rev = a.old_rev or git("merge-base", "HEAD", "main")
    old, commit = old_hydra(rev)
    sides = {"old": (old, *side("old")), "new": (HYDRA, *side("new"))}
    images = {w: os.path.join(WORK, f"{w}.img") for w in sides}
    for what, (hydra, proj, cache) in sides.items():
        took, _ = build(hydra, proj, cache, images[what])
        print(f"# {what}: first build, filling its cache, {took:.1f} s")

    load = [loadavg()]
    times = {w: [] for w in sides}
    for i in range(a.rounds):
        order = ("old", "new") if i % 2 == 0 else ("new", "old")
        for what in order:
            hydra, proj, cache = sides[what]
            change_overlay(proj, i)
            took, out = build(hydra, proj, cache, images[what])
            if "[rootfs] cached system.sqfs" not in out or re.search(r"\[(mmdebstrap|squashfs)\]",
                                                                      out):
                sys.exit(f"{what}: the overlay-only rebuild ran a long stage:\n{out[-2000:]}")
            times[what].append(took)
    load.append(loadavg())

    old_name = commit[:7] if commit.startswith(rev) else f"{rev} ({commit[:7]})"
    print(f"old: {old_name}, new: {measured_commit()}; "
          f"load average {load[0]} before, {load[1]} after")
    print(f"overlay-only rebuild of the default image, {a.rounds} alternate rounds "
          f"(seconds, wall):")
    for what in sides:
        t = times[what]
        print(f"  {what}: best {min(t):.2f}, median {statistics.median(t):.2f}  "
              f"({' '.join(f'{x:.2f}' for x in t)})")
    print(f"  new / old: best {min(times['new']) / min(times['old']):.2f}, "
          f"median {statistics.median(times['new']) / statistics.median(times['old']):.2f}")

    hydra, proj, cache = sides["new"]
    change_overlay(proj, a.rounds)
    took, out = build(hydra, proj, cache, images["new"], verbose=True)
    print(f"new, once more with -v ({took:.2f} s):")
    for line in out.splitlines():
        if re.match(r"\[\S+\] (done in|cached)|hydra: debug: writing .* in \d", line):
            print(f"  {line}")
    boot = re.search(r"install the boot loader.* in (\d+\.\d+) s", out)
    if boot:
        print(f"  of which the boot loader's install (syslinux --install): {boot.group(1)} s")
    # syslinux ends with sync(), which writes out every dirty page of the machine: the image's.
    if shutil.which("strace"):
        change_overlay(proj, a.rounds + 1)
        trace = os.path.join(WORK, "sync.strace")
        build("strace", proj, cache, images["new"],
              prefix=["-f", "-T", "-e", "trace=sync", "-o", trace, hydra])
        with open(trace) as f:
            syncs = re.findall(r"sync\(\)\s+= 0 <(\d+\.\d+)>", f.read())
        print(f"  syslinux's sync() in another such rebuild (strace -T): "
              f"{' '.join(f'{float(x):.3f}' for x in syncs)} s")


if __name__ == "__main__":
    main()
