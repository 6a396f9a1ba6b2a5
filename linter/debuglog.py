"""`--debug`: Python logging to stderr, and the records only a debugging user wants.

Every module logs to its own `logging.getLogger(__name__)` under `linter`, at DEBUG
only, so nothing is printed unless `enabled()` is in force (the package installs a
NullHandler: no "last resort" output either). The most useful record is why a value
stayed unknown: a rule reports only on known evidence, so a missing finding is
usually an Unknown whose `reason` nobody sees; `unknown_reasons` logs each one per
node and fact.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from linter.model import Choice, Graph, Partial, Ref, Unknown

log = logging.getLogger(__name__)

#: The loggers `--debug` turns on: iaclint's own modules and the built-in rules.
LOGGERS = ("linter", "rules")
FORMAT = "iaclint: debug: %(name)s: %(message)s"


@contextmanager
def enabled(stream: IO[str]) -> Iterator[None]:
    """DEBUG records of iaclint's loggers go to `stream` while the block runs; the
    loggers are restored after, so that `main()` called twice (tests) logs once."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def unknown_reasons(graph: Graph, root: str) -> None:
    """One record per node fact (and the tags) that holds an unknown value, saying
    where and why: `aws_db_instance.db (db.tf:3): multi_az unknown: variable ha has
    no value`. References (Ref) are edges, not missing knowledge, and are left out."""
    for node in graph:
        where = f"{_rel(node.location.path, root)}:{node.location.start_line}"
        found = [found for name, value in node.facts.items() for found in _unknowns(value, name)]
        if isinstance(node.tags, Unknown):
            found.append(("tags", _reason(node.tags)))
        for path, reason in found:
            log.debug("%s (%s): %s unknown: %s", node.address, where, path, reason)


def _unknowns(value: Any, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path, reason) for every Unknown inside `value`, looking into containers and the
    fact records (dataclasses: ingress rules, statements)."""
    if depth > 12:
        return
    if isinstance(value, Ref):
        return
    if isinstance(value, Choice):
        yield path, _reason(value)
        return
    if isinstance(value, Partial):
        yield path, _reason(value)
        for n, item in enumerate(value.items):
            yield from _unknowns(item, f"{path}[{n}]", depth + 1)
        return
    if isinstance(value, Unknown):
        yield path, _reason(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unknowns(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, (list, tuple)):
        for n, item in enumerate(value):
            yield from _unknowns(item, f"{path}[{n}]", depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _unknowns(getattr(value, f.name), f"{path}.{f.name}", depth + 1)


def _reason(value: Unknown) -> str:
    return value.reason or "no reason recorded"


def _rel(path: str, root: str) -> str:
    try:
        rel = os.path.relpath(path, root)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
