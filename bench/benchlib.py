"""What every bench prints beside its figures: the commit measured and the machine's load."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "lib"))
from hydratest import TOP, sh  # noqa: E402


def must(cmd):
    """CMD's output; the bench stops, naming it, when it fails."""
    status, out = sh(cmd)
    if status:
        sys.exit(f"'{cmd}' failed ({status}): {out}")
    return out


def loadavg():
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def measured_commit():
    """The commit measured, and whether tracked files differ from it."""
    name = must(f"git -C '{TOP}' rev-parse --short HEAD").strip()
    if must(f"git -C '{TOP}' status --porcelain --untracked-files=no").strip():
        name += " (with uncommitted changes)"
    return name
