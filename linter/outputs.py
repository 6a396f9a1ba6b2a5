"""Where a scan's reports go: the primary `-f/-o` pair plus semgrep-style
`--text-output FILE`, `--json-output FILE`, … in the same run.

Files are written atomically (temporary file in the same directory, fsync,
rename), so a CI step that uploads `iaclint.sarif` never reads half a report,
and a failed write leaves the previous file in place.

With the github format, a summary is also appended to the job summary file GitHub
Actions names in `$GITHUB_STEP_SUMMARY`.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.runner import ScanResult

FORMATS = ("text", "json", "sarif", "github", "html")
#: The per-format output flag, e.g. `--sarif-output FILE`.
OUTPUT_FLAGS = {fmt: f"--{fmt}-output" for fmt in FORMATS}


class OutputError(Exception):
    """An output that cannot be planned or written (a usage error, exit 2)."""


@dataclass(frozen=True)
class Output:
    fmt: str
    #: None: standard output.
    path: str | None
    #: The flag that asked for it, for messages.
    flag: str


def plan(fmt: str, output: str | None, extra: dict[str, str]) -> list[Output]:
    """The primary output first, then one per `--X-output`; two outputs to the same
    file are an error, since one would silently overwrite the other."""
    outputs = [Output(fmt, output, "-o/--output" if output else "-f/--format")]
    outputs += [Output(f, path, OUTPUT_FLAGS[f]) for f, path in extra.items()]
    seen: dict[str, Output] = {}
    for out in outputs:
        if out.path is None:
            continue
        if not out.path.strip():
            raise OutputError(f"{out.flag}: empty file name")
        key = os.path.normcase(os.path.realpath(out.path))
        if key in seen:
            raise OutputError(
                f"{seen[key].flag} and {out.flag} both write {out.path}; give each its own file"
            )
        seen[key] = out
    return outputs


def prepare(path: str) -> None:
    """Create the missing parent directories and fail early, before a long scan,
    when the file cannot be written there."""
    target = Path(path)
    blocked = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise OutputError(f"cannot write {path}: {blocked} is not a directory")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create directory for {path}: {_reason(exc)}") from exc
    if target.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: permission denied")


def write_atomic(path: str, text: str) -> None:
    """Replace `path` with `text` (UTF-8) in one step; keeps an existing file's mode.
    A device, pipe or socket (`-o /dev/null`, `-o /dev/stdout`) is written to, never
    replaced: renaming over /dev/null as root would turn it into a regular file."""
    prepare(path)
    target = Path(path)
    with contextlib.suppress(OSError):
        if not stat.S_ISREG(target.stat().st_mode) and not target.is_dir():
            _write_special(path, text)
            return
    tmp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc
    _sync_directory(target.parent)


def _write_special(path: str, text: str) -> None:
    try:
        with open(path, "wb") as fh:
            fh.write(text.encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc


def append_step_summary(outputs: Sequence[Output], result: ScanResult,
                        env: Mapping[str, str]) -> str | None:
    """Append the job summary when a github report is produced and the runner names a
    summary file; the file's path, or None when there is none to write.

    Appended, never replaced: earlier steps' tools (and earlier runs in this step)
    wrote there too. One write() (normally) on an O_APPEND descriptor, so the text lands whole
    at the end even beside another writer. The summary is sized to what is left of
    GitHub's per-step limit, since above it GitHub drops all of the step's summary."""
    path = env.get("GITHUB_STEP_SUMMARY", "")
    if not path or not any(out.fmt == "github" for out in outputs):
        return None
    from linter.reporters import step_summary

    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(f"cannot append to {path}: {_reason(exc)}") from exc
    try:
        size = os.fstat(fd).st_size
        separator = "\n" if size else ""  # a blank line before our heading
        budget = step_summary.SUMMARY_LIMIT - size - len(separator)
        text = step_summary.render(result, env=env, budget=budget)
        if not text:
            raise OutputError(f"{path} already holds {size} bytes of GitHub's "
                              f"{step_summary.SUMMARY_LIMIT} per step; no room for iaclint's")
        data = (separator + text).encode("utf-8")
        while data:
            data = data[os.write(fd, data):]
        with contextlib.suppress(OSError):
            os.fsync(fd)
    except OSError as exc:
        raise OutputError(f"cannot append to {path}: {_reason(exc)}") from exc
    finally:
        os.close(fd)
    return path


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
