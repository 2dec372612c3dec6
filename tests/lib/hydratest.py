"""Driving hydra images in QEMU for the VM tests, with the standard library only.

A VM boots an image (SeaBIOS or OVMF, TCG unless HYDRA_QEMU_ACCEL=kvm) with
its serial console on a pipe; expect() waits for console output and run()
types a command into the guest's root shell and returns its exit status and
output. Every transcript is kept in out/test/logs/NAME.log.

Results are lines that tests/run-tests counts: "ok - NAME",
"not ok - NAME: why", "skip - NAME: why". A program says first how many it
prints, with plan(N) at its top (the line "1..N"), and prints exactly that
many whatever path it takes: a part of it that cannot run prints a result
for each one it leaves out. part(NAME, N) bounds N results of the program:
a VMError inside it, stop(why) (a not ok for each result the part has not
printed) or skip_rest(why) (a skip for each) ends it there, and the
program goes on after it. Outside every part, stop() and skip_rest() end
the program. A step the results need but that is no result itself goes
through setup(), which is silent when the step works and stop()s when not;
need_image() and need_qemu() stop and skip the same way.
"""
import hashlib
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(TOP, "out", "test")
LOGS = os.path.join(OUT, "logs")
HYDRA = os.path.join(TOP, "build", "hydra")
TINY = os.path.join(OUT, "tiny.img")
# The default image, and the same with one overlay file more (tests/host/15-build-default).
DEFAULT = os.path.join(OUT, "default.img")
DEFAULT_OVERLAY = os.path.join(OUT, "default-overlay.img")
# A key pair made for each build of default-overlay.img, whose overlay authorizes its public half.
TEST_KEY = os.path.join(OUT, "ssh", "id_ed25519")
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
PROMPT = re.compile(rb"[\w-]+:[^\n]*# $")
ANSI = re.compile(rb"\x1b\[[0-9;?=]*[A-Za-z]")

failures = 0
printed = 0
program = None
parts = []


def ok(name):
    global printed
    printed += 1
    print(f"ok - {name}", flush=True)


def not_ok(name, why):
    global failures, printed
    failures += 1
    printed += 1
    print(f"not ok - {name}: {why}", flush=True)


def skip(name, why):
    global printed
    printed += 1
    print(f"skip - {name}: {why}", flush=True)


def check(name, cond, why=""):
    (ok if cond else lambda n: not_ok(n, why or "check failed"))(name)
    return cond


class _Leave(BaseException):
    def __init__(self, part):
        super().__init__(part.name)
        self.part = part


class Part:
    """N results of the program, NAME naming those it prints for the ones it leaves out."""

    def __init__(self, name, n):
        self.name, self.n, self.start = name, n, printed

    def left(self):
        """How many results the part has still to print."""
        return self.n - (printed - self.start)

    def _fill(self, result, why):
        global failures
        left = self.left()
        if left <= 0 and result is not_ok:
            # Nothing left to say it with: the program fails all the same.
            failures += 1
            print(f"# {self.name}: {why}", flush=True)
        for i in range(left):
            result(f"{self.name} ({self.n - left + i + 1} of {self.n})",
                   why if i == 0 or result is skip else "not run (see above)")

    def stop(self, why):
        self._fill(not_ok, why)
        if self is program:
            finish()
        raise _Leave(self)

    def skip_rest(self, why):
        self._fill(skip, why)
        if self is program:
            finish()
        raise _Leave(self)

    def __enter__(self):
        self.start = printed
        parts.append(self)
        return self

    def __exit__(self, kind, e, tb):
        parts.remove(self)
        if kind is None:
            if self.left():
                print(f"# {self.name}: planned {self.n} results, printed {self.n - self.left()}",
                      flush=True)
            return False
        if issubclass(kind, _Leave):
            return e.part is self
        if issubclass(kind, VMError):
            # Said once, by the innermost part; the outermost one ends it, since the parts
            # around the innermost ran in the same VM.
            said = getattr(e, "said", False)
            if self.left() > 0 or not said:
                self._fill(not_ok, "not run (the VM failed, above)" if said else str(e))
            e.said = True
            return not parts
        return False


def plan(n, name=None):
    """Print the plan, "1..N": the program prints N results. Call it once, first."""
    global program
    if program is not None:
        raise RuntimeError("plan() called twice")
    program = Part(name or os.path.basename(sys.argv[0]), n)
    print(f"1..{n}", flush=True)


def part(name, n):
    """A part of the program that prints N results: `with part(NAME, N):`."""
    return Part(name, n)


def _innermost():
    if parts:
        return parts[-1]
    if program is None:
        raise RuntimeError("no plan: call plan(N) first")
    return program


def stop(why):
    """A not ok for each result the innermost part (else the program) has not printed; then
    leave that part (end the program)."""
    _innermost().stop(why)


def skip_rest(why):
    """A skip for each result the innermost part (else the program) has not printed; then
    leave that part (end the program)."""
    _innermost().skip_rest(why)


def setup(name, cond, why=""):
    """A step the results after it need but that is no result itself: nothing when COND holds,
    else stop() (a not ok for each result left, the first saying NAME and WHY)."""
    if not cond:
        stop(f"set-up failed: {name}: {why or 'failed'}")


def missing_qemu(uefi=False):
    """Why a VM cannot run here, or None."""
    if not shutil.which("qemu-system-x86_64"):
        return "qemu-system-x86_64 missing (Debian package qemu-system-x86)"
    if uefi and not os.path.exists(OVMF_CODE):
        return f"{OVMF_CODE} missing (Debian package ovmf)"
    return None


def sh(cmd, **kw):
    """Run a host command; (status, output)."""
    p = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    return p.returncode, p.stdout.decode(errors="replace")


def manifest_id(image):
    status, out = sh(f"MTOOLS_SKIP_CHECK=1 mtype -i '{image}@@1M' ::/hydra/MANIFEST")
    m = re.search(r"^id (\w+)$", out, re.M)
    return m.group(1) if status == 0 and m else None


def carries_this_hydra(vm):
    """(True when the guest's /usr/bin/hydra is the hydra just built, byte for byte, and runs;
    what the guest said)."""
    with open(HYDRA, "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    status, out = vm.run("sha256sum /usr/bin/hydra && hydra --version")
    return status == 0 and out.split()[:1] == [want] and "hydra " in out, f"want {want}: {out}"


def free_port():
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A line of the kernel's log on the console: "[   52.314317] clocksource: ...".
KERNEL_LINE = re.compile(r"^\[ *\d+\.\d+\] .*\n", re.M)


class VMError(Exception):
    pass


class VM:
    """One QEMU guest. Disks are (path, options) pairs or plain paths. FORWARD lists guest TCP
    ports reached from free ports of the host's 127.0.0.1: self.ports maps each to its own.
    WRAP is a command QEMU runs under (["ip", "netns", "exec", NS] for a tap in a namespace).
    COMMAND, when given, is run instead of a QEMU made here: one that starts QEMU with the
    serial console on its standard input and output (`hydra run`)."""

    def __init__(self, name, disks, uefi=False, memory=1024, extra=(), mac=None, forward=(),
                 wrap=(), command=None):
        self.name = name
        self.uefi = uefi
        self.buf = b""
        self.pending = b""
        self.pos = 0
        self.n = 0
        os.makedirs(LOGS, exist_ok=True)
        self.log = open(os.path.join(LOGS, f"{name}.log"), "wb")
        self.tmp = tempfile.mkdtemp(prefix="hydra-vm.")
        accel = os.environ.get("HYDRA_QEMU_ACCEL") or "tcg"
        cmd = list(wrap) + ["qemu-system-x86_64", "-accel", accel, "-m", str(memory), "-display", "none",
               "-serial", "stdio", "-monitor", "none", "-no-reboot"]
        # A NIC only when a test needs its MAC or a port forwarded, on a user network cut off from
        # everything but the forwarded ports.
        self.ports = {guest: free_port() for guest in forward}
        netdev = "user,id=n0,restrict=on" + "".join(
            f",hostfwd=tcp:127.0.0.1:{host}-:{guest}" for guest, host in self.ports.items())
        nic = "virtio-net-pci,netdev=n0" + (f",mac={mac}" if mac else "")
        cmd += ["-netdev", netdev, "-device", nic] if mac or forward else ["-nic", "none"]
        if uefi:
            vars_copy = os.path.join(self.tmp, "vars.fd")
            shutil.copy(OVMF_VARS, vars_copy)
            cmd += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
                    "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
        for d in disks:
            path, opts = (d, "if=virtio") if isinstance(d, str) else d
            cmd += ["-drive", f"file={path},format=raw,{opts}"]
        cmd += list(extra)
        if command:
            cmd = list(command)
        self.log.write(("# " + " ".join(cmd) + "\n").encode())
        self.start = time.monotonic()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)

    def elapsed(self):
        return time.monotonic() - self.start

    def _read(self, timeout):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            return False
        data = os.read(self.p.stdout.fileno(), 65536)
        if not data:
            raise VMError(f"QEMU exited (status {self.p.wait()})")
        self.log.write(data)
        self.log.flush()
        # An escape sequence may be split between two reads: keep its start for the next.
        data = self.pending + data
        cut = data.rfind(b"\x1b")
        if cut >= 0 and not re.match(rb"\x1b\[[0-9;?=]*[A-Za-z]", data[cut:]) and len(data) - cut < 16:
            data, self.pending = data[:cut], data[cut:]
        else:
            self.pending = b""
        self.buf += ANSI.sub(b"", data.replace(b"\r", b""))
        return True

    def expect(self, pattern, timeout=180):
        """Wait for PATTERN (bytes regex) after what was matched before; the match."""
        if isinstance(pattern, str):
            pattern = pattern.encode()
        rx = re.compile(pattern) if isinstance(pattern, bytes) else pattern
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = end - time.monotonic()
            if left <= 0:
                raise VMError(f"timed out after {timeout} s waiting for {rx.pattern!r}; "
                              f"last output: {self.buf[-300:]!r}")
            self._read(min(left, 1.0))

    def send(self, text):
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def wait_shell(self, timeout=180):
        """Until the image says it is ready and its root shell prompts."""
        m = self.expect(rb"hydra: (\w+) node (\S+) ready", timeout)
        self.expect(PROMPT, 60)
        return m.group(1).decode(), m.group(2).decode()

    def wait_login(self, timeout=300):
        """Until systemd's getty has logged root in on the serial console and bash prompts."""
        self.expect(rb"login: root \(automatic login\)", timeout)
        self.expect(PROMPT, 60)

    def run(self, cmd, timeout=120):
        """Run CMD in the guest shell; (status, output)."""
        self.n += 1
        n = self.n
        # The kernel writes to the console too (a loaded host makes its clocksource complain):
        # it is told to keep quiet at the first command, and any line of its log is dropped.
        quiet = "dmesg -n 1 2>/dev/null; " if n == 1 else ""
        # The markers are printed with printf so the echoed command line never matches.
        self.send(f"{quiet}printf '\\137B{n}\\137\\n'; {cmd}; printf '\\137E{n}:%s\\137\\n' $?\n")
        m = self.expect(re.compile(rf"_B{n}_\n(.*?)_E{n}:(\d+)_\n".encode(), re.S), timeout)
        self.expect(PROMPT, 30)
        out = KERNEL_LINE.sub("", m.group(1).decode(errors="replace"))
        return int(m.group(2)), out

    def typing(self, cmd, answers, prompt=rb"passphrase for [^\n]*: ", timeout=120):
        """Run CMD and answer each passphrase PROMPT in turn; (status, output)."""
        self.n += 1
        n = self.n
        self.send(f"printf '\\137B{n}\\137\\n'; {cmd}; printf '\\137E{n}:%s\\137\\n' $?\n")
        for answer in answers:
            self.expect(prompt, timeout)
            self.send(answer + "\n")
        m = self.expect(re.compile(rf"_E{n}:(\d+)_\n".encode()), timeout)
        start = self.buf.rfind(f"_B{n}_\n".encode())
        self.expect(PROMPT, 30)
        return int(m.group(1)), self.buf[start:m.start()].decode(errors="replace")

    def poweroff(self, timeout=60):
        try:
            self.send("sync; poweroff -f\n")
        except (BrokenPipeError, OSError):
            pass
        return self.close(timeout)

    def close(self, timeout=5):
        try:
            status = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            status = self.p.wait()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.p.poll() is None:
            self.p.kill()
        self.close()


def need_qemu(uefi=False):
    """skip_rest() when no VM can run here."""
    why = missing_qemu(uefi)
    if why:
        skip_rest(why)


def need_image(path=TINY):
    """stop() when the shared test image PATH is missing (its build test failed)."""
    if not os.path.exists(path):
        stop(f"{os.path.relpath(path, TOP)} missing: the image build test failed")


def finish():
    if program is not None and printed != program.n:
        print(f"# planned {program.n} results, printed {printed}", flush=True)
    sys.exit(1 if failures else 0)
