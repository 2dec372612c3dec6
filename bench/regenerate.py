#!/usr/bin/env python3
"""Regeneration against clone + boot, the same disk work both ways, in one run.

A: `hydra regenerate --dhcp own --data none alpha` in a network namespace of its own with a tap
(as tests/vm/80-netboot does for beta), QEMU on that tap with alpha's MAC, an empty 2 GiB disk
and `-boot n`:
the bare machine netboots the default image, `hydra install` writes its disk and reports done,
the machine restarts and boots from its disk to its root shell. QEMU runs with -no-reboot, so
the restart is a second QEMU on the same disk and tap, started twice: with the disk first
(`-boot order=c`: the network boot was a one-time choice, as `ipmitool chassis bootdev pxe`
makes it) and with the network first (`-boot order=nc`: the firmware tries the network, gets no
offer and falls through to the disk). A's time is the first QEMU's run, to its exit at the
restart, plus the second's, to the root shell; the harness's own seconds between them are not
counted. Each phase is timed on the host's clock as it shows: regenerate's JSON progress lines
as they come on its stderr, the guest's console lines as they come on its serial port.

B: the default image booted in QEMU with a second, empty 2 GiB disk; `hydra clone --yes
--progress=none --as alpha /dev/vdb` in the guest (pinned to alpha as install pins it; timed with
/proc/uptime, as bench/clone.py), then QEMU on that disk alone, the same NIC and tap, from its
start to its root shell.

The node is alpha, not beta: regenerate's lock and run directory are the host's
(/run/hydra/regenerate/NODE), and the VM tests regenerate beta, maybe at the same time. A held
lock is waited for. Both sides: TCG, 2048 MiB, 2 vCPUs. BENCH_ROUNDS (default 2) alternating
rounds of A and B; the best round of each is compared. Prints the commit and the load average.
Run as root after tests/host/15-build-default has made out/test/default.img."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from hydratest import DEFAULT, HYDRA, OUT, TOP, VM, VMError, sh  # noqa: E402
sys.path.insert(0, os.path.dirname(__file__))
from benchlib import loadavg, measured_commit, must  # noqa: E402

NODE = "alpha"
MAC = re.search(r"^macs\s*=\s*(\S+)", open(f"{TOP}/hardware-db/nodes/{NODE}.conf").read(),
                re.M).group(1)
DISK_BYTES = 2 << 30
MEMORY = 2048
CPUS = ["-smp", "2"]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
NS = f"hydra-bench{os.getpid()}"



class Regenerate:
    """hydra regenerate in the namespace; each JSON progress line kept with the host's
    monotonic time it arrived at, the clock the VM's times are on."""

    def __init__(self, medium, log):
        argv = ["ip", "netns", "exec", NS, HYDRA, "regenerate", "--dhcp", "own", "--interface",
                "tap0", "--medium", medium, "--hwdb", f"{TOP}/hardware-db", "--progress=json",
                "--data", "none", "--timeout", "1800", NODE]
        self.events = []
        self.log = open(log, "w")
        self.p = subprocess.Popen(argv, stdout=open(log + ".out", "w"), stderr=subprocess.PIPE)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.p.stderr:
            now = time.monotonic()
            text = line.decode(errors="replace")
            self.log.write(text)
            self.log.flush()
            if text.startswith("{"):
                try:
                    self.events.append((now, json.loads(text)))
                except ValueError:
                    pass

    def first(self, phase, path=None):
        """The host time of the first event of PHASE (whose path matches PATH), or None."""
        for t, e in list(self.events):
            if e.get("phase") == phase and (path is None or re.match(path, e.get("path", ""))):
                return t
        return None

    def wait_armed(self):
        """True once armed; False when another regenerate of NODE holds the lock (exit 3)."""
        end = time.monotonic() + 60
        while time.monotonic() < end and self.p.poll() is None:
            if self.first("armed"):
                return True
            time.sleep(0.05)
        self.stop()
        if self.p.returncode == 3:
            return False
        sys.exit(f"regenerate did not arm: {open(self.log.name).read()[-800:]}")

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.reader.join(5)
        self.log.close()


def guest(name, disk, boot, disks=()):
    """QEMU on the namespace's tap with the node's MAC and DISK first."""
    return VM(name, [(disk, "if=virtio")] + list(disks), memory=MEMORY,
              wrap=["ip", "netns", "exec", NS],
              extra=CPUS + ["-netdev", "tap,id=t0,ifname=tap0,script=no,downscript=no",
                            "-device", f"virtio-net-pci,netdev=t0,mac={MAC}", "-boot", boot])


def blank(path):
    with open(path, "wb") as f:
        f.truncate(DISK_BYTES)


def boot_json(vm):
    status, out = vm.run("cat /run/hydra/boot.json")
    try:
        return json.loads(out)
    except ValueError:
        return {}


def wait_exit(vm, timeout):
    """Read the console until QEMU exits (the guest restarted: -no-reboot); its host time."""
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            vm._read(1)
    except VMError:
        return time.monotonic()
    sys.exit(f"{vm.name}: the guest did not restart within {timeout} s")


def round_a(i):
    """One regeneration; [(phase, host time)], the first QEMU's start, what hydra-init says
    it fetched."""
    disk = T(f"regen-{i}.img")
    blank(disk)
    end = time.monotonic() + 900
    while True:
        rg = Regenerate(MEDIUM, T(f"regenerate-{i}.log"))
        if rg.wait_armed():
            break
        if time.monotonic() > end:
            sys.exit(f"another regenerate of {NODE} held its lock for 15 minutes")
        print(f"# round {i}: another regenerate of {NODE} runs here; waiting", flush=True)
        time.sleep(10)
    marks = []
    try:
        with guest(f"bench-regen-{i}", disk, "n") as vm:
            start = vm.start

            def mark(label, pattern, timeout):
                m = vm.expect(pattern, timeout)
                marks.append((label, time.monotonic()))
                return m

            fetched = mark("payload fetched and checked (hydra-init)",
                           rb"hydra-init: netboot: fetched ([^\n]*?), every file", 900)
            m = mark(f"{NODE} booted from RAM, hydra install starts (its plan)",
                     rf"plan: write (\S+) as {NODE} from \S+ medium, without data".encode(),
                     900)
            if m.group(1) != b"/dev/vda":
                sys.exit(f"hydra install chose {m.group(1)}, not /dev/vda")
            mark("disk written, read back and committed",
                 rf"/dev/vda: written as {NODE}, read back and committed".encode(), 900)
            mark("done reported (hydra install)",
                 rf"{NODE}: regenerated; \S+ was told and disarms".encode(), 300)
            marks.append(("restart: the first QEMU exits", wait_exit(vm, 300)))
        status = rg.p.wait(60)
        if status != 0:
            sys.exit(f"regenerate exited {status}: {open(T(f'regenerate-{i}.log')).read()[-800:]}")
    finally:
        rg.stop()
    for label, phase, path in (("offer sent (regenerate)", "offer", None),
                               ("boot.ipxe fetched (regenerate)", "script", None),
                               ("kernel fetched (regenerate)", "kernel", None),
                               ("initrd fetched (regenerate)", "initrd", None),
                               ("MANIFEST fetched (regenerate)", "file", r"hydra/MANIFEST$"),
                               ("last payload file fetched (regenerate)", "file", None),
                               ("done heard (regenerate)", "done", None),
                               ("disarmed (regenerate)", "disarmed", None)):
        if phase == "file" and path is None:
            ts = [t for t, e in rg.events if e.get("path", "") in PAYLOAD]
            t = max(ts) if ts else None
        else:
            t = rg.first(phase, path)
        if t is None:
            print(f"# round {i}: regenerate's progress has no {phase} {path or ''}", flush=True)
            continue
        marks.append((label, t))
    # Which phase a fetch of boot/vmlinuz or boot/initrd.img gets is regenerate's business.
    missing = set(PAYLOAD) - {e.get("path") for _, e in rg.events}
    if missing:
        print(f"# round {i}: regenerate's progress shows no fetch of {sorted(missing)}")
    restarted = dict(marks)["restart: the first QEMU exits"]
    restarts = {order: restart(i, disk, order) for order in ("c", "nc")}
    return (sorted(marks, key=lambda m: m[1]), start, restarted - start, restarts,
            fetched.group(1).decode())


def restart(i, disk, order):
    """The regenerated disk booted with -boot order=ORDER: (seconds to the medium found, to
    the root shell)."""
    with guest(f"bench-regen-disk-{order}-{i}", disk, f"order={order}") as vm:
        vm.expect(rb"hydra-init: medium /dev/vda1", 600)
        found = vm.elapsed()
        vm.wait_login(600)
        shell = vm.elapsed()
        boot = boot_json(vm)
        vm.poweroff()
    if boot.get("medium") != "/dev/vda1" or boot.get("node") != NODE or boot.get("netboot"):
        sys.exit(f"the restarted machine did not boot its disk as {NODE}: {boot}")
    return found, shell


def timed(vm, cmd):
    status, out = vm.run(f"s=$(cut -d' ' -f1 /proc/uptime); {cmd} >/tmp/out 2>&1; r=$?; "
                         "e=$(cut -d' ' -f1 /proc/uptime); cat /tmp/out; echo $r $s $e", 900)
    r, s, e = out.split()[-3:]
    if r != "0":
        sys.exit(f"'{cmd}' failed: {out}")
    return float(e) - float(s)


def round_b(i):
    """One clone and one boot of it; (clone seconds, boot seconds, start to medium found)."""
    disk = T(f"clone-{i}.img")
    blank(disk)
    with VM(f"bench-clone-src-{i}", [(DEFAULT, "if=virtio,snapshot=on"), (disk, "if=virtio")],
            memory=MEMORY, extra=CPUS) as vm:
        vm.wait_login(600)
        clone = timed(vm, f"hydra clone --yes --progress=none --as {NODE} /dev/vdb")
        vm.poweroff()
    with guest(f"bench-clone-boot-{i}", disk, "c") as vm:
        vm.expect(rb"hydra-init: medium /dev/vda1", 600)
        found = vm.elapsed()
        vm.wait_login(600)
        shell = vm.elapsed()
        boot = boot_json(vm)
        vm.poweroff()
    if boot.get("medium") != "/dev/vda1" or boot.get("node") != NODE:
        sys.exit(f"the clone did not boot from its disk as {NODE}: {boot}")
    return clone, shell, found


if os.geteuid() != 0:
    sys.exit("run as root: a network namespace and a tap device")
if not os.path.exists(DEFAULT):
    sys.exit(f"{DEFAULT} missing: run tests/run-tests tests/host/15-build-default first")
commit = measured_commit()
load_start = loadavg()
os.makedirs(OUT, exist_ok=True)
tmp = tempfile.mkdtemp(prefix="bench-regen.", dir=OUT)
os.chmod(tmp, 0o755)    # busybox httpd reads the medium as nobody
T = lambda name: os.path.join(tmp, name)  # noqa: E731
MEDIUM = T("medium")
a_runs, b_runs = [], []
try:
    must(f"ip netns add {NS}")
    must(f"ip -n {NS} link set lo up")
    must(f"ip -n {NS} tuntap add dev tap0 mode tap")
    os.makedirs(MEDIUM)
    must(f"MTOOLS_SKIP_CHECK=1 mcopy -s -n -i '{DEFAULT}@@1M' ::/ '{MEDIUM}/'")
    must(f"chmod -R a+rX '{MEDIUM}'")
    manifest = open(f"{MEDIUM}/hydra/MANIFEST").read()
    PAYLOAD = {p: int(n) for n, p in re.findall(r"^file \S+ (\d+) (\S+)$", manifest, re.M)}
    for i in range(1, ROUNDS + 1):
        marks, start, first, restarts, said = round_a(i)
        a_runs.append((first + restarts["c"][1], first + restarts["nc"][1], marks, start,
                       first, restarts, said, loadavg()))
        print(f"# round {i}: A {first:.1f} + {restarts['c'][1]:.1f} s disk first, + "
              f"{restarts['nc'][1]:.1f} s network first (load {a_runs[-1][-1]})", flush=True)
        clone, boot, found = round_b(i)
        b_runs.append((clone + boot, clone, boot, found, loadavg()))
        print(f"# round {i}: B {clone:.1f} + {boot:.1f} s (load {b_runs[-1][4]})", flush=True)
finally:
    sh(f"ip netns del {NS}")
    shutil.rmtree(tmp, ignore_errors=True)

a_total, _, marks, start, first, restarts, said, _ = min(a_runs, key=lambda r: r[0])
a_net = min(r[1] for r in a_runs)
b_total, clone, boot, found, _ = min(b_runs, key=lambda r: r[0])
print(f"commit {commit}; load average (1/5/15 min) {load_start} at the start, {loadavg()} at "
      f"the end; {ROUNDS} alternating rounds, best of each; TCG, {MEMORY} MiB, 2 vCPUs")
print("rounds: A disk first " + ", ".join(f"{r[0]:.1f}" for r in a_runs) +
      " s; A network first " + ", ".join(f"{r[1]:.1f}" for r in a_runs) + " s; B " +
      ", ".join(f"{r[1]:.1f} + {r[2]:.1f} = {r[0]:.1f}" for r in b_runs) + " s")
payload = sum(PAYLOAD.values())
print(f"payload: {len(PAYLOAD)} files, {payload} bytes ({payload / 2**20:.1f} MiB) by the "
      f"MANIFEST; hydra-init (best A round): fetched {said}")
print()
print("| A: hydra regenerate (data none), best round | since QEMU start | step |")
print("|---|---|---|")
last = start
for label, t in marks:
    print(f"| {label} | {t - start:.1f} s | {t - last:+.1f} s |")
    last = t
for order, what in (("c", "disk first"), ("nc", "network first")):
    f, shell_at = restarts[order]
    print(f"| restarted, {what} (-boot order={order}): medium found, root shell | "
          f"{first + f:.1f} s, {first + shell_at:.1f} s | {f:+.1f} s, {shell_at:+.1f} s |")
print()
print("| what | seconds |")
print("|---|---|")
print(f"| A: regeneration, QEMU start to the first QEMU's exit at the restart | {first:.1f} |")
print(f"| A: then the disk first, to the root shell on its disk | {a_total:.1f} |")
print(f"| A: then the network first, to the root shell on its disk (best round) | "
      f"{a_net:.1f} |")
at = dict((label, t) for label, t in marks)
write = (at["disk written, read back and committed"] -
         at[f"{NODE} booted from RAM, hydra install starts (its plan)"])
print(f"| A: of which hydra install's disk work (its plan to committed, on the console) | "
      f"{write:.1f} |")
print(f"| B: `hydra clone --as {NODE} /dev/vdb` in a default-image guest (/proc/uptime) | "
      f"{clone:.1f} |")
print(f"| B: boot of the clone, QEMU start to root shell (hydra-init found the medium at "
      f"{found:.1f} s) | {boot:.1f} |")
print(f"| B: clone + boot | {b_total:.1f} |")
print(f"| A / B, disk first after the restart | {a_total / b_total:.2f} |")
print(f"| A / B, network first after the restart | {a_net / b_total:.2f} |")
print(f"goal A <= 2 x B: {'met' if a_total <= 2 * b_total else 'not met'} with the disk first, "
      f"{'met' if a_net <= 2 * b_total else 'not met'} with the network first, as measured")
