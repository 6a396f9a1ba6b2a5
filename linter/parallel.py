"""Run one independent computation in a forked child while the parent goes on.

Used for the base scan of `--new-since`: on a machine with two or more cores the
base and head states are scanned at the same time. The child sends its result
back as JSON over a pipe (data only); where `fork` is unavailable or only one
core is, the work runs in-process when its result is asked for.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ChildFailed(RuntimeError):
    """The forked computation raised; the message carries its traceback."""


def can_fork() -> bool:
    """True where a forked child runs beside the parent (fork, and two cores for us)."""
    if not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores >= 2


def start(work: Callable[[], Any], convert: Callable[[Any], T]) -> Callable[[], T]:
    """Begin `work()` (its result must be JSON-serializable) and return a function
    that waits for it and returns `convert(result)`."""
    if not can_fork():
        return lambda: convert(work())
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except (OSError, RuntimeError):  # no process left to make, or an audit hook's no
        os.close(read_fd)
        os.close(write_fd)
        return lambda: convert(work())
    if pid == 0:  # the child: compute, send, and leave without running any cleanup
        os.close(read_fd)
        code = 0
        try:
            payload = json.dumps({"ok": work()})
        except BaseException:
            payload, code = json.dumps({"error": traceback.format_exc()}), 1
        try:
            with os.fdopen(write_fd, "w", encoding="utf-8") as out:
                out.write(payload)
        finally:
            os._exit(code)
    os.close(write_fd)

    def wait() -> T:
        with os.fdopen(read_fd, "r", encoding="utf-8") as pipe:
            raw = pipe.read()
        os.waitpid(pid, 0)
        try:
            message = json.loads(raw)
        except ValueError:
            raise ChildFailed("the base scan ended without a result") from None
        if "error" in message:
            raise ChildFailed(message["error"])
        return convert(message["ok"])

    return wait
