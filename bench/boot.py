#!/usr/bin/env python3
"""The default image's boot against live-build's ISO of the same package set, in one run.

hydra: out/test/default.img on virtio (snapshot=on) through SeaBIOS and syslinux, from QEMU's
start to systemd's "Reached target multi-user.target" on the serial console, and on to root's
automatic login there. live-build: the ISO bench/live-build.sh makes (built once into
out/bench/boot/, kept), on QEMU's CD-ROM, its kernel and initrd given to QEMU directly with the
words its boot menu's default entry passes (`boot=live components quiet splash`) and
`console=ttyS0,115200`: the ISO's isolinux menu waits for a key (`timeout 0`), so live-build is
spared the firmware's load of its kernel and initrd, which hydra's side pays. From QEMU's start
to the serial console's login prompt. Both: TCG, 2048 MiB, 2 vCPUs, no NIC; BENCH_ROUNDS
(default 3) alternating rounds, the best of each compared. Then, in one more hydra boot, where
its seconds go: `systemd-analyze` and `systemd-analyze critical-chain`, and hydra-init's switch
to the new root on the host's clock. Prints the commit and the load average. Run as root after
tests/host/15-build-default has made out/test/default.img."""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from hydratest import DEFAULT, TOP, VM  # noqa: E402
sys.path.insert(0, os.path.dirname(__file__))
from benchlib import loadavg, measured_commit  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORK = os.path.join(TOP, "out", "bench", "boot")
QEMU = ["-smp", "2"]
MEMORY = 2048
# The default entry of live-build's boot menu (binary/isolinux/live.cfg), and the serial console.
LB_APPEND = "boot=live components quiet splash console=ttyS0,115200"


def live_build_iso():
    """The ISO and the kernel and initrd in it (live-build leaves them in binary/live/)."""
    live = os.path.join(WORK, "lb", "binary", "live")
    isos = glob.glob(os.path.join(WORK, "lb", "*.iso"))
    if not isos or not glob.glob(os.path.join(live, "vmlinuz*")):
        print("# building live-build's ISO (once; kept in out/bench/boot/lb)", flush=True)
        subprocess.run([os.path.join(TOP, "bench", "live-build.sh"), WORK], check=True,
                       stdout=subprocess.DEVNULL)
        isos = glob.glob(os.path.join(WORK, "lb", "*.iso"))
    return isos[0], sorted(glob.glob(os.path.join(live, "vmlinuz*")))[-1], \
        sorted(glob.glob(os.path.join(live, "initrd.img*")))[-1]


def boot_hydra(i, analyze=False):
    """(seconds to multi-user.target, to root's login) and, with ANALYZE, what systemd says."""
    with VM(f"bench-boot-hydra-{i}", [(DEFAULT, "if=virtio,snapshot=on")], memory=MEMORY,
            extra=QEMU) as vm:
        vm.expect(rb"hydra-init: starting /sbin/init", 600)
        switch = vm.elapsed()
        vm.expect(rb"Reached target .*Multi-User System", 600)
        target = vm.elapsed()
        vm.wait_login(600)
        login = vm.elapsed()
        said = ""
        if analyze:
            said = vm.run("systemd-analyze; systemd-analyze critical-chain --no-pager "
                          "multi-user.target", 300)[1]
        vm.poweroff()
    return target, login, switch, said


def boot_live_build(i, iso, kernel, initrd):
    """Seconds to the login prompt on the serial console."""
    with VM(f"bench-boot-lb-{i}", [], memory=MEMORY,
            extra=QEMU + ["-cdrom", iso, "-kernel", kernel, "-initrd", initrd,
                          "-append", LB_APPEND]) as vm:
        vm.expect(rb"\n\S+ login: ", 900)
        return vm.elapsed()


if os.geteuid() != 0:
    sys.exit("run as root: live-build")
if not os.path.exists(DEFAULT):
    sys.exit(f"{DEFAULT} missing: run tests/run-tests tests/host/15-build-default first")
os.makedirs(WORK, exist_ok=True)
iso, kernel, initrd = live_build_iso()
commit = measured_commit()
load_start = loadavg()
hydra_runs, lb_runs = [], []
for i in range(1, ROUNDS + 1):
    lb_runs.append(boot_live_build(i, iso, kernel, initrd))
    hydra_runs.append(boot_hydra(i)[:3])
    print(f"# round {i}: live-build {lb_runs[-1]:.1f} s; hydra {hydra_runs[-1][0]:.1f} s to "
          f"multi-user.target, {hydra_runs[-1][1]:.1f} s to the login (load {loadavg()})",
          flush=True)
_, _, switch, said = boot_hydra("analyze", analyze=True)
lb = min(lb_runs)
target, login, best_switch = min(hydra_runs)
print(f"commit {commit}; load average (1/5/15 min) {load_start} at the start, {loadavg()} at "
      f"the end; {ROUNDS} alternating rounds, best of each; TCG, {MEMORY} MiB, 2 vCPUs")
print(f"live-build ISO {os.path.basename(iso)}, {os.path.getsize(iso) / 2**20:.1f} MiB; "
      f"hydra {os.path.basename(DEFAULT)}, {os.path.getsize(DEFAULT) / 2**20:.1f} MiB")
print("rounds: live-build " + ", ".join(f"{x:.1f}" for x in lb_runs) + " s; hydra " +
      ", ".join(f"{t:.1f} ({lg:.1f})" for t, lg, _ in hydra_runs) + " s")
print()
print("| what | seconds |")
print("|---|---|")
print(f"| live-build: QEMU start to the login prompt (kernel and initrd given to QEMU) | {lb:.1f} |")
print(f"| hydra: QEMU start to hydra-init's switch to the new root | {best_switch:.1f} |")
print(f"| hydra: QEMU start to multi-user.target (SeaBIOS, syslinux) | {target:.1f} |")
print(f"| hydra: QEMU start to root's login on the serial console | {login:.1f} |")
print(f"| hydra multi-user.target / live-build login prompt | {target / lb:.2f} |")
print()
print(f"one more hydra boot: switch at {switch:.1f} s; systemd says:")
print(re.sub(r"\x1b\[[0-9;]*m", "", said).strip())
print(f"goal hydra <= 0.25 x live-build: {'met' if target <= 0.25 * lb else 'not met'}, "
      "as measured")
