"""Child processes that never outlive their parent, even one killed with SIGKILL."""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import subprocess
import sys
from typing import Any

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child before exec: receive SIGTERM when the parent dies (Linux's PR_SET_PDEATHSIG; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def spawn(cmd: list[str], env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen[bytes]:
    """A child process that ends with its parent (started from the main thread: the signal follows the thread)."""
    return subprocess.Popen(cmd, env=env, preexec_fn=die_with_parent, **kwargs)  # noqa: PLW1509
