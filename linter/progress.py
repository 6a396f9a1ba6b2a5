"""Files parsed / total on stderr, for a person waiting at a terminal.

Only when stderr is a terminal, `CI` is not set, `TERM` is not "dumb" and the
scan has run for a second: CI logs, pipes and redirected reports never see it,
and a fast scan never flickers. The line is rewritten in place (at most ten times
a second) and erased when the scan is done.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import IO

#: Seconds a scan runs before the first progress line.
DELAY = 1.0
#: Seconds between two redraws.
INTERVAL = 0.1


def wanted(stream: IO[str], environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not env.get("CI") and env.get("TERM", "") != "dumb"


class Progress:
    """`progress(done, total)` after each file; `finish()` erases the line."""

    def __init__(self, stream: IO[str], clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._start = clock()
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = self._clock()
        if now - self._start < DELAY or (now - self._last < INTERVAL and done < total):
            return
        self._last = now
        self._shown = True
        self._stream.write(f"\r\x1b[Kiaclint: parsed {done}/{total} files")
        self._stream.flush()

    def finish(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False
