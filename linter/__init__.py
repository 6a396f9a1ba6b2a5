"""iaclint: static analysis for AWS infrastructure code."""

from __future__ import annotations

import logging as _logging


def __getattr__(name: str) -> str:
    """`__version__` on first use: importlib.metadata costs 40-60 ms at start-up,
    which a scan that prints no version should not pay."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("iaclint")
    except PackageNotFoundError:  # running from a source tree that was not installed
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found


# A library logs, the application decides where: nothing is printed unless `--debug`
# (linter/debuglog.py) adds a handler, not even Python's last-resort warnings.
_logging.getLogger(__name__).addHandler(_logging.NullHandler())
