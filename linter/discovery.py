"""Find the files to scan and decide, by content, what each one is.

The input is untrusted (a pull request from a fork), so discovery never opens
anything that is not a regular file (a FIFO named `x.tf` would block forever), never
follows a symbolic link out of the scanned directories, reads each real file once,
and bounds what one file and the whole scan may read (`Limits`). `read_source` is
the one function that reads a scanned file: the loaders, module sources read from
disk and variables files all go through it, so no path escapes the limits.

Classification reads only a cheap prefix sniff (decoded first when the file starts
with a UTF-16/UTF-32 byte order mark); the loader makes the final call (a JSON file
that mentions "Statement" but is not a policy is dropped there).
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import errno
import os
import re
import stat
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from linter.exclude import Excluder

SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", ".hg", ".svn", "__pycache__"})
MIB = 1024 * 1024
#: Defaults of `max_file_size` and `max_total_size` (configuration and command line).
DEFAULT_MAX_FILE_BYTES = 10 * MIB
DEFAULT_MAX_TOTAL_BYTES = 200 * MIB
#: How much of a file classification sniffs.
HEAD_BYTES = 256 * 1024


@dataclass
class Limits:
    """What one scan may read: each file at most `max_file_bytes`, all of them
    together at most `max_total_bytes` (`used` counts what was read so far)."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES
    used: int = field(default=0, compare=False)


class InputTooLarge(Exception):
    """The files to scan exceed the total-input limit: the scan does not start
    (exit code 2), since a partial scan would look like a clean one."""


class Refused(Exception):
    """A file `read_source` will not read, with the reason `-v` shows."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


_LIMITS: contextvars.ContextVar[Limits | None] = contextvars.ContextVar(
    "iaclint_limits", default=None)


@contextlib.contextmanager
def limited(limits: Limits) -> Iterator[Limits]:
    """Apply `limits` to every `read_source` call made inside the block (one scan)."""
    token = _LIMITS.set(limits)
    try:
        yield limits
    finally:
        _LIMITS.reset(token)


def current_limits() -> Limits:
    """The limits of the running scan; defaults outside one (a loader called alone)."""
    return _LIMITS.get() or Limits()


def size_text(n: int) -> str:
    """A byte count as people write it: 10 MiB, 512 KiB, 100 bytes."""
    for unit, size in (("GiB", 1024 * MIB), ("MiB", MIB), ("KiB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.I)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": MIB, "g": 1024 * MIB}


def parse_size(value: str | int) -> int:
    """Bytes from `10485760`, `10MiB`, `10MB`, `512k` (units are binary: 1 MB = 1 MiB,
    as `du` and `ls -h` count). Raises ValueError for anything else or below 1."""
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        n = value
    else:
        m = _SIZE.match(value)
        if m is None:
            raise ValueError(f"not a size: {value!r} (write e.g. 10MiB, 500KiB or 1048576)")
        n = int(float(m.group(1)) * _UNITS[(m.group(2) or "")[:1].lower()])
    if n < 1:
        raise ValueError(f"a size must be at least 1 byte: {value!r}")
    return n


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def too_large_reason(size: int, limit: int) -> str:
    return (f"{size_text(size)}, over the {size_text(limit)} file size limit (raise it "
            "with max_file_size or --max-file-size)")


def read_source(path: str, *, limit: int | None = None, count: bool = True) -> bytes:
    """The bytes of the regular file at `path`, within the scan's limits.

    Never blocks and never reads more than the limit: the file is checked with
    `stat` before it is opened, opened with O_NONBLOCK, checked again with `fstat`
    (the path may have changed in between) and read up to the limit plus one byte.
    `count` adds what was read to the scan's total (a file read a second time for
    its comments does not count again). Raises Refused with the reason.
    """
    limits = current_limits()
    limit = limits.max_file_bytes if limit is None else limit
    try:
        st = os.stat(path)
        kind = _kind(st.st_mode)
        if kind is not None:
            raise Refused(kind)
        if st.st_size > limit:
            raise Refused(too_large_reason(st.st_size, limit), too_large=True)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Refused(_os_reason(exc)) from exc
    try:
        st = os.fstat(fd)
        kind = _kind(st.st_mode)
        if kind is not None:
            raise Refused(kind)
        if count and limits.used + min(st.st_size, limit) > limits.max_total_bytes:
            raise Refused(f"the {size_text(limits.max_total_bytes)} total input limit "
                          "is reached (max_total_size, --max-total-size)", too_large=True)
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(1024 * 1024, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise Refused(too_large_reason(got, limit), too_large=True)
    except OSError as exc:
        raise Refused(_os_reason(exc)) from exc
    finally:
        os.close(fd)
    if count:
        limits.used += got
    return b"".join(chunks)


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "does not exist (broken symbolic link?)"
    return f"cannot read: {exc.strerror or exc}"


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xef\xbb\xbf", "utf-8"),
)


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte order mark at the start of `data` announces."""
    for bom, name in _BOMS:  # UTF-32 LE first: its mark starts with UTF-16 LE's
        if data.startswith(bom):
            return name
    return None


def as_utf8(data: bytes, *, partial: bool = False) -> bytes:
    """`data` as UTF-8 without a byte order mark, for loaders that take UTF-8 bytes.

    A file starting with a UTF-16 or UTF-32 mark (Windows editors write them; cfn-lint
    and checkov read such templates) is decoded and re-encoded: line breaks, and so
    line numbers, stay as they were. Text that is not valid in its announced encoding
    keeps U+FFFD where it is broken, so the loader still reports a located error when
    the damage matters. Bytes without a mark are returned as they are (the loader
    decides: Latin-1 is an IAC000 "not valid UTF-8"). `partial`: `data` is a prefix
    whose last character may be cut.
    """
    enc = bom_encoding(data)
    if enc is None:
        return data
    if enc == "utf-8":
        return data[3:]
    body = data[4:] if enc.startswith("utf-32") else data[2:]
    if partial:
        unit = 4 if enc.startswith("utf-32") else 2
        body = body[: len(body) - len(body) % unit]
    return body.decode(enc, errors="replace").encode("utf-8")


class Format(str, enum.Enum):
    TERRAFORM = "terraform"  # .tf (HCL)
    TERRAFORM_JSON = "terraform-json"  # .tf.json
    CLOUDFORMATION = "cloudformation"
    IAM_POLICY = "iam-policy"
    TERRAFORM_PLAN = "terraform-plan"  # `terraform show -json` of a plan


@dataclass(frozen=True)
class SourceFile:
    path: str  # absolute, with no symbolic link in it
    format: Format
    #: Bytes on disk when discovered (the total-input check adds them up).
    size: int = field(default=0, compare=False)
    #: (device, inode): one real file is scanned once, whatever links lead to it.
    identity: tuple[int, int] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str
    #: The `exclude` pattern that removed it; such entries are files or directories.
    pattern: str | None = None
    #: Worth a warning without `-v`: a file too large to scan, or a file named on the
    #: command line that was not scanned for a reason other than its kind.
    notice: bool = False
    #: Named on the command line but unreadable: also a located IAC000 error.
    error: bool = False


def excluded_by(path: str, pattern: str) -> Skipped:
    return Skipped(path, f"excluded by pattern {pattern!r}", pattern)


_CFN_MARKERS = re.compile(rb"AWSTemplateFormatVersion|AWS::Serverless-2016-10-31")
_CFN_TYPE = re.compile(rb"""["']?Type["']?\s*:\s*["']?(AWS|Alexa|Custom)::""")
_RESOURCES = re.compile(rb"""(^|[\s{,])["']?Resources["']?\s*:""", re.M)
_STATEMENT = re.compile(rb'"Statement"\s*:')
_PLAN_VERSION = re.compile(rb'"format_version"\s*:')
_PLAN_PART = re.compile(rb'"(planned_values|resource_changes|configuration)"\s*:')
_JSON_EXT = (".json",)
_YAML_EXT = (".yaml", ".yml", ".template", ".cfn", ".json")


def _is_plan(head: bytes) -> bool:
    """A Terraform plan (`terraform show -json`): `format_version` and a plan part, with
    `format_version` (Terraform writes it first) before any CloudFormation or policy
    marker, since a plan's values may hold a template body or policy text, while a
    template or policy that merely mentions these names is not a plan."""
    version = _PLAN_VERSION.search(head)
    if version is None or _PLAN_PART.search(head) is None:
        return False
    others = [m.start() for m in (_CFN_MARKERS.search(head), _RESOURCES.search(head),
                                  _STATEMENT.search(head)) if m is not None]
    return not others or version.start() < min(others)


def classify(path: Path, head: bytes) -> Format | str:
    """The file's format, or a reason string why it is not scanned."""
    name = path.name.lower()
    if name.endswith(".tf"):
        return Format.TERRAFORM
    if name.endswith(".tf.json"):
        return Format.TERRAFORM_JSON
    if name.endswith((".tfvars", ".tfvars.json")):
        return "Terraform variables file (read with its module)"
    if not name.endswith(_YAML_EXT + _JSON_EXT) and not name.endswith(".txt"):
        return "not an infrastructure file extension"
    if name.endswith(".json") and _is_plan(head):
        return Format.TERRAFORM_PLAN
    if _CFN_MARKERS.search(head) or (_RESOURCES.search(head) and _CFN_TYPE.search(head)):
        return Format.CLOUDFORMATION
    if name.endswith(".json") and _STATEMENT.search(head):
        return Format.IAM_POLICY
    if name.endswith(".json") and (b"UserDetailList" in head or b"RoleDetailList" in head):
        return Format.IAM_POLICY
    return "no CloudFormation or IAM policy markers"


def discover(
    paths: Iterable[str | os.PathLike[str]],
    exclude: Excluder | None = None,
    limits: Limits | None = None,
) -> tuple[list[SourceFile], list[Skipped], list[str]]:
    """Walk `paths`; returns (files to scan, skipped files, missing paths).

    Excluded directories are not entered; each is listed once in the skipped list.
    A path named explicitly is excluded too (pre-commit names every staged file).
    Only regular files are taken; a symbolic link is followed only when its target
    lies inside one of `paths` (never out of them, never in a loop), and each real
    file is scanned once, whatever links or hard links lead to it.
    """
    walk = _Walk(limits or current_limits(), [Path(p) for p in paths])
    missing: list[str] = []
    for root in walk.roots:
        if not os.path.lexists(root):
            missing.append(str(root))
            continue
        pattern = exclude.match(str(root), root.is_dir()) if exclude else None
        if pattern is not None:
            walk.skipped.append(excluded_by(os.path.realpath(root), pattern))
            continue
        try:
            real_root = Path(os.path.realpath(root, strict=True))
            st = os.stat(real_root)
        except OSError as exc:
            walk.skipped.append(Skipped(str(root), _os_reason(exc), notice=True))
            continue
        if not stat.S_ISDIR(st.st_mode):
            walk.consider(str(real_root), st, explicit=True)
            continue
        for dirpath, dirnames, filenames in _walk_tree(str(root), walk.unreadable_dir):
            # os.walk does not follow links: the real directory is the root's + rel.
            real = os.path.normpath(real_root / os.path.relpath(dirpath, root))
            dirnames[:] = sorted(
                d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")
            )
            links = [d for d in dirnames if os.path.islink(os.path.join(real, d))]
            for name in links:
                walk.skipped.append(walk.directory_link(os.path.join(real, name)))
            dirnames[:] = [d for d in dirnames if d not in links]
            if exclude:
                dirnames[:] = _unexcluded(real, dirnames, True, exclude, walk.skipped)
                filenames = _unexcluded(real, filenames, False, exclude, walk.skipped)
            for fname in sorted(filenames):
                walk.entry(os.path.join(real, fname))
    return sorted(walk.found.values(), key=lambda f: f.path), walk.skipped, missing


def _walk_tree(
    top: str, onerror: Callable[[OSError], None]
) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk(top)` top-down, without following links, but iterative: os.walk
    recurses once per level, and a tree 1,000 directories deep (a path of 2,000
    characters) would end the scan with RecursionError. The caller may prune
    `dirnames` in place, as with os.walk."""
    stack = [top]
    while stack:
        dirpath = stack.pop()
        dirnames: list[str] = []
        filenames: list[str] = []
        try:
            with os.scandir(dirpath) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    (dirnames if is_dir else filenames).append(entry.name)
        except OSError as exc:
            onerror(exc)
            continue
        yield dirpath, dirnames, filenames
        stack.extend(os.path.join(dirpath, d) for d in reversed(dirnames))


def module_files(
    directory: str, known: Collection[str], exclude: Excluder | None,
    limits: Limits | None = None, seen: set[tuple[int, int]] | None = None,
) -> tuple[list[SourceFile], list[Skipped]]:
    """The Terraform files of `directory` that `known` lacks, checked as discovery
    checks a walked file (regular, within the size limit, links kept inside
    `directory`): a file named alone is evaluated with its module, and the
    module's other files must not slip past the limits that way. `seen` holds the
    real files already taken (updated); a link to a file of another directory is
    left to that directory."""
    walk = _Walk(limits or current_limits(), [Path(directory)])
    walk.known = known
    if seen is not None:
        walk.seen = seen
    try:
        names = sorted(os.listdir(directory))
    except OSError as exc:
        return [], [Skipped(directory, f"cannot list directory: {exc.strerror or exc}")]
    for name in names:
        if not name.endswith((".tf", ".tf.json")) or name.startswith("."):
            continue
        path = os.path.join(directory, name)
        pattern = exclude.match(path) if exclude else None
        if pattern is None:
            walk.entry(path)
    return list(walk.found.values()), walk.skipped


class _Walk:
    """The state of one discovery: roots, files found, skips and real files seen."""

    def __init__(self, limits: Limits, roots: list[Path]) -> None:
        self.limits = limits
        self.roots = roots
        self.real_roots = [os.path.realpath(r) for r in roots]
        self.found: dict[str, SourceFile] = {}
        self.skipped: list[Skipped] = []
        self.seen: set[tuple[int, int]] = set()
        #: Files taken already (by an earlier discovery): not taken again.
        self.known: Collection[str] = ()

    def unreadable_dir(self, exc: OSError) -> None:
        where = os.fspath(exc.filename) if exc.filename else "?"
        named = os.path.realpath(where) in self.real_roots  # a warning without -v
        self.skipped.append(Skipped(
            str(where), f"cannot list directory: {exc.strerror or exc}", notice=named))

    def inside(self, real: str) -> bool:
        return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep)
                   for r in self.real_roots)

    def follow(self, link: str) -> str | Skipped:
        """Where the link `link` leads, or why it is not followed."""
        try:
            real = os.path.realpath(link, strict=True)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return Skipped(link, "symbolic link loop")
            if exc.errno == errno.ENOENT:
                return Skipped(link, f"broken symbolic link (to {os.readlink(link)})")
            return Skipped(link, _os_reason(exc))
        if not self.inside(real):
            return Skipped(link, f"symbolic link to {real}, outside the scanned "
                                 "directories: not followed")
        return real

    def directory_link(self, link: str) -> Skipped:
        target = self.follow(link)
        if isinstance(target, Skipped):
            return target
        return Skipped(link, f"symbolic link to the directory {target}: not followed "
                             "(a directory is scanned where it is)")

    def entry(self, path: str) -> None:
        """One name found in a scanned directory (the directory has no link in it)."""
        real = path
        if os.path.islink(path):
            target = self.follow(path)
            if isinstance(target, Skipped):
                self.skipped.append(target)
                return
            real = target
        try:
            st = os.stat(real)
        except OSError as exc:
            self.skipped.append(Skipped(path, _os_reason(exc)))
            return
        self.consider(real, st, explicit=False)

    def consider(self, key: str, st: os.stat_result, explicit: bool) -> None:
        if key in self.found or key in self.known:
            return
        name = os.path.basename(key)
        if name.startswith(".") and not explicit:
            self.skipped.append(Skipped(key, "hidden file"))
            return
        kind = _kind(st.st_mode)
        if kind is not None:
            self.skipped.append(Skipped(key, f"{kind}, not a regular file", notice=explicit))
            return
        if st.st_size > self.limits.max_file_bytes:
            self.skipped.append(Skipped(
                key, too_large_reason(st.st_size, self.limits.max_file_bytes), notice=True))
            return
        identity = (st.st_dev, st.st_ino)
        if identity in self.seen:
            return  # a hard link to a file already taken
        lower = name.lower()
        if not lower.endswith(_CANDIDATE_EXT):
            self.skipped.append(Skipped(key, "not an infrastructure file extension"))
            return
        try:  # Terraform names need no sniff: opening them only proves them readable
            head = _head(key, 0 if lower.endswith(_TERRAFORM_EXT) else HEAD_BYTES)
        except OSError as exc:
            self.skipped.append(Skipped(key, _os_reason(exc), notice=explicit, error=explicit))
            return
        verdict = classify(Path(key), as_utf8(head, partial=True))
        if isinstance(verdict, Format):
            self.seen.add(identity)
            self.found[key] = SourceFile(key, verdict, st.st_size, identity)
        else:
            self.skipped.append(Skipped(key, verdict))


_TERRAFORM_EXT = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
_CANDIDATE_EXT = (*_TERRAFORM_EXT, *_YAML_EXT, *_JSON_EXT, ".txt")


def _head(path: str, size: int) -> bytes:
    """The first `size` bytes of a regular file, opened so that it cannot block."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return os.read(fd, size) if size else b""
    finally:
        os.close(fd)


def _unexcluded(
    dirpath: str, names: list[str], is_dir: bool, exclude: Excluder, skipped: list[Skipped]
) -> list[str]:
    keep: list[str] = []
    for name in names:
        path = os.path.join(dirpath, name)
        pattern = exclude.match_entry(path, is_dir)
        if pattern is None:
            keep.append(name)
        else:
            skipped.append(excluded_by(path, pattern))
    return keep
