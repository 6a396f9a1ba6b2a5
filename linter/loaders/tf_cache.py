"""On-disk cache of parsed Terraform files (the Lark parse dominates scan time).

Entries are keyed by the file's bytes, its syntax (HCL or JSON) and a digest of
the loader's own source, so a changed file or a changed loader never reads a
stale tree. Set IACLINT_NO_CACHE=1 to disable, IACLINT_CACHE_DIR to move it.
Any I/O or unpickling problem simply means a cache miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import random
import tempfile
import time
from dataclasses import replace
from functools import lru_cache
from typing import Any

from linter.model import ParseError

PRUNE_CHANCE = 1 / 500
log = logging.getLogger(__name__)

#: the loader's own modules: a change to any of them must invalidate every entry
_SOURCES = (
    "terraform.py",
    "hcl_lark.py",
    "tf_templates.py",
    "terraform_json.py",
    "marked.py",
    "hcl_ast.py",
    "tf_cache.py",
)


@lru_cache(maxsize=1)
def _salt() -> bytes:
    here = os.path.dirname(__file__)
    digest = hashlib.sha256(b"iaclint-tf-ast-1")
    for name in _SOURCES:
        try:
            with open(os.path.join(here, name), "rb") as fh:
                digest.update(fh.read())
        except OSError:
            digest.update(name.encode())
    try:
        import hcl2.version as hv

        digest.update(str(getattr(hv, "version", getattr(hv, "__version__", ""))).encode())
    except ImportError:
        pass
    return digest.digest()


def _directory() -> str | None:
    if os.environ.get("IACLINT_NO_CACHE"):
        return None
    base = os.environ.get("IACLINT_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "iaclint")
    return os.path.join(base, "tf-ast")


def grammar_cache_path() -> str | None:
    """Where Lark may keep its compiled HCL grammar (None: let Lark use a temp file).

    The compiled grammar takes a second to build and never depends on the input,
    so it is cached even when parse results are not."""
    directory = _directory()
    if directory is None:
        return None
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return None
    return os.path.join(directory, "hcl2-grammar.lark-cache")


def _file(path: str, data: bytes) -> str | None:
    directory = _directory()
    if directory is None:
        return None
    digest = hashlib.sha256(_salt())
    digest.update(b"json" if path.endswith(".json") else b"hcl")
    digest.update(data)
    name = digest.hexdigest()
    return os.path.join(directory, name[:2], name[2:] + ".pickle")


def get(path: str, data: bytes) -> Any:
    """The cached document for `data`, re-pointed at `path`, or None."""
    target = _file(path, data)
    if target is None:
        return None
    try:
        with open(target, "rb") as fh:
            doc = pickle.load(fh)
    except Exception:  # a missing, truncated or foreign entry is just a miss
        log.debug("parsing %s (not in the parse cache)", path)
        return None
    if isinstance(doc, ParseError):
        log.debug("loaded %s from the parse cache (a parse error)", path)
        return replace(doc, path=path)
    if hasattr(doc, "path") and hasattr(doc, "body"):
        log.debug("loaded %s from the parse cache", path)
        doc.path = path
        return doc
    return None


def put(path: str, data: bytes, doc: Any) -> None:
    target = _file(path, data)
    if target is None:
        return
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(doc, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, RecursionError):
        return
    if random.random() < PRUNE_CHANCE:
        prune(os.path.dirname(os.path.dirname(target)))


def prune(directory: str, max_age_days: float = 30.0) -> None:
    """Forget entries not written for a month, so edited files do not pile up forever."""
    cutoff = time.time() - max_age_days * 86400
    for dirpath, _, filenames in os.walk(directory):
        for name in filenames:
            path = os.path.join(dirpath, name)
            with contextlib.suppress(OSError):
                if os.path.getmtime(path) < cutoff:
                    os.unlink(path)
