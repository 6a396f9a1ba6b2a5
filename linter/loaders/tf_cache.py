"""On-disk cache of parsed Terraform files (the Lark parse dominates scan time).

The cache directory is user-writable and CI pipelines restore it from other runs,
so nothing in it may be able to run code: entries are data only (JSON of the
hcl_ast node types, never pickle), and so is the compiled HCL grammar (Lark's own
serialized tables, written as tagged JSON and handed to Lark as plain data; Lark
is never given a cache file, which it would unpickle). Entries are keyed by the
file's bytes, its syntax (HCL or JSON), iaclint's and the parsers' versions and a
digest of the loader's own source, so a changed file or a changed loader never
reads a stale tree. A missing, corrupt, foreign or wrong-version entry is a miss
and is rewritten. The directory is private (0700, entries 0600) and is not used
at all when another user owns it or may write into it.

What is not defended: whoever can write the directory (or a restored CI cache)
can put a *valid* entry under another file's key and so hide findings. Set
IACLINT_NO_CACHE=1 to use no disk cache at all, IACLINT_CACHE_DIR to move it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from linter.loaders.hcl_ast import (
    Attribute,
    BinaryOp,
    Block,
    Conditional,
    Expr,
    ForDirective,
    ForExpr,
    FunctionCall,
    GetAttr,
    IfDirective,
    Index,
    Interp,
    Literal,
    ObjectExpr,
    ObjectItem,
    Splat,
    Template,
    TerraformFile,
    Traversal,
    TupleExpr,
    UnaryOp,
    Variable,
)
from linter.model import ParseError

#: the format of entries; part of every key and of every entry's first line
SCHEMA = "iaclint-tf-ast/2"
GRAMMAR_SCHEMA = "iaclint-lark-grammar/1"
#: the cache is cut back to PRUNE_TO of this when a prune finds it larger
MAX_BYTES = 200 * 1024 * 1024
PRUNE_TO = 0.8
MAX_AGE_DAYS = 30.0
#: a process prunes after writing this many bytes (and once when it first writes)
PRUNE_EVERY_BYTES = 20 * 1024 * 1024
#: an entry is at most this many times its source's size (plus 64 KiB); the most on
#: the corpus is under 3, a list of a thousand single digits about 5
MAX_GROWTH = 64
#: the compiled HCL grammar is about 1 MB
MAX_GRAMMAR_BYTES = 16 * 1024 * 1024
SUFFIX = ".json"
GRAMMAR_FILE = "hcl2-grammar.json"
log = logging.getLogger(__name__)

#: the loader's own modules: a change to any of them must invalidate every entry
_SOURCES = (
    "terraform.py",
    "hcl_lark.py",
    "hcl_treesitter.py",
    "tf_templates.py",
    "terraform_json.py",
    "marked.py",
    "hcl_ast.py",
    "tf_cache.py",
)


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:  # not installed as a distribution: the digest of sources still keys
        return "?"


@lru_cache(maxsize=1)
def _salt() -> bytes:
    here = os.path.dirname(__file__)
    digest = hashlib.sha256(SCHEMA.encode())
    for name in ("iaclint", "python-hcl2", "lark", "tree-sitter", "tree-sitter-hcl"):
        digest.update(f"\0{name}={_version(name)}".encode())
    digest.update(repr(sys.version_info[:2]).encode())
    for name in _SOURCES:
        try:
            with open(os.path.join(here, name), "rb") as fh:
                digest.update(fh.read())
        except OSError:
            digest.update(name.encode())
    return digest.digest()


def _directory() -> str | None:
    if os.environ.get("IACLINT_NO_CACHE"):
        return None
    base = os.environ.get("IACLINT_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "iaclint")
    return os.path.join(base, "tf-ast")


def is_private(directory: str) -> bool:
    """True when `directory` is a real directory of ours that no one else can write.

    One only readable by others (made by an older iaclint under umask 022) is made
    0700; one that others may write, or that is not ours, is refused: its entries
    may have been put there by someone else."""
    try:
        st = os.lstat(directory)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    if os.name == "nt":  # no POSIX modes: the profile's ACLs keep its cache private
        return True
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return False
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o022:
        return False
    if mode & 0o077:
        try:
            os.chmod(directory, 0o700)
        except OSError:
            return False
    return True


_checked: set[str] = set()


def private_directory() -> str | None:
    """The cache directory, created 0700 where missing, or None when there is none
    to use (disabled, not creatable, or not private). Checked once per process."""
    directory = _directory()
    if directory is None:
        return None
    if directory in _checked:
        return directory
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not is_private(directory):
        log.debug("not using the parse cache %s: another user owns it or may write it",
                  directory)
        return None
    _checked.add(directory)
    return directory


def _key(path: str, data: bytes) -> str:
    digest = hashlib.sha256(_salt())
    digest.update(b"json" if path.endswith(".json") else b"hcl")
    digest.update(data)
    return digest.hexdigest()


def _entry(directory: str, key: str) -> str:
    return os.path.join(directory, key[:2], key[2:] + SUFFIX)


def _header(key: str) -> bytes:
    return f"{SCHEMA} {key}\n".encode()


def has(path: str, data: bytes) -> bool:
    """Whether an entry for `data` exists (not whether it is good: `get` checks that)."""
    directory = private_directory()
    if directory is None:
        return False
    key = _key(path, data)
    return os.path.isfile(_entry(directory, key))


def get(path: str, data: bytes) -> TerraformFile | ParseError | None:
    """The cached document for `data`, re-pointed at `path`, or None."""
    directory = private_directory()
    if directory is None:
        return None
    key = _key(path, data)
    target = _entry(directory, key)
    try:
        raw = _read(target, len(data) * MAX_GROWTH + 65536)
        header = _header(key)
        if not raw.startswith(header):
            raise ValueError("another key, schema or format")
        doc = decode(json.loads(raw[len(header):]), path)
    except FileNotFoundError:
        log.debug("parsing %s (not in the parse cache)", path)
        return None
    except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        log.debug("parsing %s (ignoring a bad parse cache entry: %s)", path, exc)
        return None
    log.debug("loaded %s from the parse cache%s", path,
              " (a parse error)" if isinstance(doc, ParseError) else "")
    return doc


def _read(target: str, limit: int) -> bytes:
    """A regular file's bytes (no symlink followed); ValueError above `limit` bytes,
    so a planted giant entry costs no memory or time."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > limit:
            raise ValueError(f"{st.st_size} bytes is more than an entry can be")
        if time.time() - st.st_mtime > 86400:  # keep used entries young for prune()
            with contextlib.suppress(OSError):
                os.utime(fh.fileno())
        return fh.read()


_written = 0
_next_prune = 0
#: prune at most this often, by the stamp file's age (and after PRUNE_EVERY_BYTES)
PRUNE_INTERVAL = 3600.0
PRUNE_STAMP = "last-prune"


def put(path: str, data: bytes, doc: TerraformFile | ParseError) -> None:
    """Store `doc` for `data`; a failure to write is only a lost speed-up."""
    directory = private_directory()
    if directory is None:
        return
    key = _key(path, data)
    try:
        payload = _header(key) + json.dumps(
            encode(doc), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except (ValueError, TypeError, RecursionError):
        return
    if not _write(_entry(directory, key), payload):
        return
    global _written, _next_prune
    _written += len(payload)
    if _written >= _next_prune:
        due = _next_prune > 0  # this process wrote PRUNE_EVERY_BYTES since its last prune
        _next_prune = _written + PRUNE_EVERY_BYTES
        stamp = os.path.join(directory, PRUNE_STAMP)
        with contextlib.suppress(OSError):
            due = due or time.time() - os.stat(stamp).st_mtime > PRUNE_INTERVAL
        if due or not os.path.exists(stamp):
            _write(stamp, b"")
            prune(directory)


def _write(target: str, payload: bytes) -> bool:
    """Write `payload` to `target` atomically, readable by this user only."""
    try:
        os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        return False
    return True


def prune(directory: str, max_bytes: int | None = None,
          max_age_days: float = MAX_AGE_DAYS) -> None:
    """Forget entries unused for a month, files of older formats (pickles included),
    temporary files a killed writer left and, while the whole is over `max_bytes`,
    the least recently used entries. A walk of the whole cache: `put` runs it at most
    hourly (by the stamp file) and after each PRUNE_EVERY_BYTES a process writes."""
    if max_bytes is None:
        max_bytes = MAX_BYTES
    cutoff = time.time() - max_age_days * 86400
    entries: list[tuple[float, int, str]] = []
    for dirpath, _, filenames in os.walk(directory):
        for name in filenames:
            path = os.path.join(dirpath, name)
            with contextlib.suppress(OSError):
                st = os.lstat(path)
                stale = st.st_mtime < cutoff and not name.endswith(".tmp")
                if dirpath == directory and name == PRUNE_STAMP:
                    continue
                if stale or not name.endswith((SUFFIX, ".tmp")):
                    os.unlink(path)
                elif name.endswith(".tmp") and st.st_mtime < time.time() - 3600:
                    os.unlink(path)  # left by a killed writer
                else:
                    entries.append((st.st_mtime, st.st_size, path))
    total = sum(size for _, size, _ in entries)
    if total <= max_bytes:
        return
    entries.sort()
    for _, size, path in entries:
        if total <= max_bytes * PRUNE_TO:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
            total -= size


# ------------------------------------------------------------------- the AST as JSON
#
# Every node is a JSON array whose first item is a small integer tag; strings in a
# template's parts stay strings. Decoding checks each array's tag, arity and the
# types of names and lines, so anything malformed is a miss, never a strange tree.

_LIT, _TPL, _VAR, _TRAV, _CALL, _COND, _BIN, _UN, _TUP, _OBJ, _FOR = range(11)
_INTERP, _IF, _FORD = 20, 21, 22
_GETATTR, _INDEX, _SPLAT = 30, 31, 32
_FILE, _ERROR = 40, 41
_SCALARS = (str, int, float, bool, type(None))


def encode(doc: TerraformFile | ParseError) -> list[Any]:
    """`doc` as JSON-ready lists (its path is left out: entries are shared by content)."""
    if isinstance(doc, ParseError):
        return [_ERROR, doc.line, doc.message, doc.column]
    if type(doc) is not TerraformFile:
        raise TypeError(f"cannot cache {type(doc).__name__}")
    return [_FILE, doc.syntax, doc.language, _block(doc.body)]


def _block(block: Block) -> list[Any]:
    attrs = [[key, a.name, _expr(a.expr), a.line, a.end_line, a.path]
             for key, a in block.attributes.items()]
    return [block.type, block.labels, attrs, [_block(b) for b in block.blocks],
            block.line, block.end_line]


def _expr(e: Expr) -> list[Any]:
    t = type(e)
    if t is Literal:
        value = e.value  # type: ignore[attr-defined]
        if type(value) not in _SCALARS:
            raise TypeError(f"literal of type {type(value).__name__}")
        return [_LIT, e.line, e.end_line, value]
    if t is Template:
        assert isinstance(e, Template)
        return [_TPL, e.line, e.end_line, _parts(e.parts), e.body_line]
    if t is Variable:
        assert isinstance(e, Variable)
        return [_VAR, e.line, e.end_line, e.name]
    if t is Traversal:
        assert isinstance(e, Traversal)
        return [_TRAV, e.line, e.end_line, _expr(e.source), [_step(s) for s in e.steps]]
    if t is FunctionCall:
        assert isinstance(e, FunctionCall)
        return [_CALL, e.line, e.end_line, e.name, [_expr(a) for a in e.args], e.expand_final]
    if t is Conditional:
        assert isinstance(e, Conditional)
        return [_COND, e.line, e.end_line, _expr(e.cond), _expr(e.true), _expr(e.false)]
    if t is BinaryOp:
        assert isinstance(e, BinaryOp)
        return [_BIN, e.line, e.end_line, e.op, _expr(e.left), _expr(e.right)]
    if t is UnaryOp:
        assert isinstance(e, UnaryOp)
        return [_UN, e.line, e.end_line, e.op, _expr(e.operand)]
    if t is TupleExpr:
        assert isinstance(e, TupleExpr)
        return [_TUP, e.line, e.end_line, [_expr(i) for i in e.items]]
    if t is ObjectExpr:
        assert isinstance(e, ObjectExpr)
        return [_OBJ, e.line, e.end_line,
                [[_expr(i.key), _expr(i.value), i.line] for i in e.items]]
    if t is ForExpr:
        assert isinstance(e, ForExpr)
        return [_FOR, e.line, e.end_line, e.key_var, e.val_var, _expr(e.coll),
                None if e.key_expr is None else _expr(e.key_expr), _expr(e.value_expr),
                None if e.cond is None else _expr(e.cond), e.grouping]
    raise TypeError(f"cannot cache expression {t.__name__}")


def _parts(parts: list[Any]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        t = type(part)
        if t is str:
            out.append(part)
        elif t is Interp:
            out.append([_INTERP, _expr(part.expr)])
        elif t is IfDirective:
            out.append([_IF, _expr(part.cond), _parts(part.then_parts), _parts(part.else_parts)])
        elif t is ForDirective:
            out.append([_FORD, part.key_var, part.val_var, _expr(part.coll), _parts(part.body)])
        else:
            raise TypeError(f"cannot cache template part {t.__name__}")
    return out


def _step(step: Any) -> list[Any]:
    t = type(step)
    if t is GetAttr:
        return [_GETATTR, step.name]
    if t is Index:
        return [_INDEX, _expr(step.key)]
    if t is Splat:
        return [_SPLAT]
    raise TypeError(f"cannot cache traversal step {t.__name__}")


def decode(raw: Any, path: str) -> TerraformFile | ParseError:
    """The document `encode` wrote, at `path`; ValueError/TypeError on anything else."""
    tag = raw[0]
    if tag == _ERROR:
        _, line, message, column = raw
        if (type(line) is not int or type(message) is not str
                or not (column is None or type(column) is int)):
            raise ValueError("malformed parse error")
        return ParseError(path, line, message, column)
    if tag != _FILE:
        raise ValueError(f"unknown document tag {tag!r}")
    _, syntax, language, body = raw
    if syntax not in ("hcl", "json") or language != "terraform":
        raise ValueError("unknown syntax or language")
    return TerraformFile(path=path, body=_unblock(body), syntax=syntax, language=language)


def _str(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("expected a string")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("expected an integer")
    return value


def _unblock(raw: list[Any]) -> Block:
    type_, labels, attrs, blocks, line, end_line = raw
    attributes: dict[str, Attribute] = {}
    for key, name, expr, a_line, a_end, a_path in attrs:
        attributes[_str(key)] = Attribute(_str(name), _unexpr(expr), _int(a_line),
                                          _int(a_end), _opt_str(a_path))
    return Block(_str(type_), [_str(label) for label in labels], attributes,
                 [_unblock(b) for b in blocks], _int(line), _int(end_line))


def _unexpr(raw: list[Any]) -> Expr:
    if type(raw) is not list:
        raise ValueError("expected an expression")
    decoder = _EXPR_DECODERS.get(raw[0])
    if decoder is None:
        raise ValueError(f"unknown expression tag {raw[0]!r}")
    expr = decoder(raw)
    _int(expr.line)
    _int(expr.end_line)
    return expr


def _opt_expr(raw: Any) -> Expr | None:
    return None if raw is None else _unexpr(raw)


def _literal(raw: list[Any]) -> Expr:
    _, line, end, value = raw
    if type(value) not in _SCALARS:
        raise ValueError("literal of a non-scalar type")
    return Literal(value, line, end)


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise ValueError("expected a boolean")
    return value


def _for(raw: list[Any]) -> Expr:
    _, line, end, key_var, val_var, coll, key_expr, value_expr, cond, grouping = raw
    return ForExpr(_opt_str(key_var), _str(val_var), _unexpr(coll), _opt_expr(key_expr),
                   _unexpr(value_expr), _opt_expr(cond), _bool(grouping), line, end)


_EXPR_DECODERS: dict[Any, Callable[[list[Any]], Expr]] = {
    _LIT: _literal,
    _TPL: lambda r: Template(_unparts(r[3]), r[1], r[2],
                             None if r[4] is None else _int(r[4])) if len(r) == 5 else _bad(),
    _VAR: lambda r: Variable(_str(r[3]), r[1], r[2]) if len(r) == 4 else _bad(),
    _TRAV: lambda r: Traversal(_unexpr(r[3]), [_unstep(s) for s in r[4]], r[1], r[2])
    if len(r) == 5 else _bad(),
    _CALL: lambda r: FunctionCall(_str(r[3]), [_unexpr(a) for a in r[4]], _bool(r[5]),
                                  r[1], r[2]) if len(r) == 6 else _bad(),
    _COND: lambda r: Conditional(_unexpr(r[3]), _unexpr(r[4]), _unexpr(r[5]), r[1], r[2])
    if len(r) == 6 else _bad(),
    _BIN: lambda r: BinaryOp(_str(r[3]), _unexpr(r[4]), _unexpr(r[5]), r[1], r[2])
    if len(r) == 6 else _bad(),
    _UN: lambda r: UnaryOp(_str(r[3]), _unexpr(r[4]), r[1], r[2]) if len(r) == 5 else _bad(),
    _TUP: lambda r: TupleExpr([_unexpr(i) for i in r[3]], r[1], r[2])
    if len(r) == 4 else _bad(),
    _OBJ: lambda r: ObjectExpr([ObjectItem(_unexpr(k), _unexpr(v), _int(n)) for k, v, n in r[3]],
                               r[1], r[2]) if len(r) == 4 else _bad(),
    _FOR: _for,
}


def _bad() -> Any:
    raise ValueError("wrong number of fields")


def _unparts(raw: list[Any]) -> list[Any]:
    out: list[Any] = []
    for part in raw:
        if type(part) is str:
            out.append(part)
            continue
        tag = part[0]
        if tag == _INTERP and len(part) == 2:
            out.append(Interp(_unexpr(part[1])))
        elif tag == _IF and len(part) == 4:
            out.append(IfDirective(_unexpr(part[1]), _unparts(part[2]), _unparts(part[3])))
        elif tag == _FORD and len(part) == 5:
            out.append(ForDirective(_opt_str(part[1]), _str(part[2]), _unexpr(part[3]),
                                    _unparts(part[4])))
        else:
            raise ValueError(f"unknown template part {tag!r}")
    return out


def _unstep(raw: list[Any]) -> Any:
    tag = raw[0]
    if tag == _GETATTR and len(raw) == 2:
        return GetAttr(_str(raw[1]))
    if tag == _INDEX and len(raw) == 2:
        return Index(_unexpr(raw[1]))
    if tag == _SPLAT and len(raw) == 1:
        return Splat()
    raise ValueError(f"unknown traversal step {tag!r}")


# ------------------------------------------------------------- Lark's compiled grammar


def load_grammar(identity: str) -> dict[str, Any] | None:
    """Lark's serialized parser for the grammar `identity` names (a digest of the
    grammar text, options and versions), from the private cache directory, or None."""
    directory = private_directory()
    if directory is None:
        return None
    header = f"{GRAMMAR_SCHEMA} {identity}\n".encode()
    try:
        raw = _read(os.path.join(directory, GRAMMAR_FILE), MAX_GRAMMAR_BYTES)
        if not raw.startswith(header):
            return None
        data = untag(json.loads(raw[len(header):]))
    except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def save_grammar(identity: str, data: dict[str, Any]) -> None:
    """Keep Lark's serialized parser (plain data) for the next process."""
    directory = private_directory()
    if directory is None:
        return
    try:
        payload = f"{GRAMMAR_SCHEMA} {identity}\n".encode() + json.dumps(
            tag(data), separators=(",", ":")).encode("utf-8")
    except (ValueError, TypeError, RecursionError):
        return
    _write(os.path.join(directory, GRAMMAR_FILE), payload)


def tag(value: Any) -> Any:
    """Plain data with tuples and non-string dict keys as tagged JSON arrays
    (`["l", …]` list, `["t", …]` tuple, `["d", k, v, …]` dict), so it comes back equal."""
    t = type(value)
    if t is list:
        return ["l", *map(tag, value)]
    if t is tuple:
        return ["t", *map(tag, value)]
    if t is dict:
        out: list[Any] = ["d"]
        for key, item in value.items():
            out.append(tag(key))
            out.append(tag(item))
        return out
    if t in _SCALARS:
        return value
    raise TypeError(f"cannot tag {t.__name__}")


def untag(value: Any) -> Any:
    """The inverse of `tag`; ValueError on an unknown tag."""
    if type(value) is not list:
        return value
    kind = value[0]
    if kind == "l":
        return [untag(v) for v in value[1:]]
    if kind == "t":
        return tuple(untag(v) for v in value[1:])
    if kind == "d":
        items = iter(value[1:])
        return {untag(k): untag(v) for k, v in zip(items, items, strict=True)}
    raise ValueError(f"unknown tag {kind!r}")
