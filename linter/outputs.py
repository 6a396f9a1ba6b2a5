"""Where a scan's reports go: the primary `-f/-o` pair plus semgrep-style
`--text-output FILE`, `--json-output FILE`, … in the same run.

Files are written atomically (temporary file in the same directory, fsync,
rename), so a CI step that uploads `iaclint.sarif` never reads half a report,
and a failed write leaves the previous file in place.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("text", "json", "sarif", "github")
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
    """Replace `path` with `text` (UTF-8) in one step; keeps an existing file's mode."""
    prepare(path)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
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
