"""iaclint: static analysis for AWS infrastructure code."""

import logging as _logging
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("iaclint")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

# A library logs, the application decides where: nothing is printed unless `--debug`
# (linter/debuglog.py) adds a handler, not even Python's last-resort warnings.
_logging.getLogger(__name__).addHandler(_logging.NullHandler())
