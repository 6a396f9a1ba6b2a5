"""What fact extraction may ask about the resource being built.

resource_facts fills a node's facts from its evaluated attributes; for the rest
(which resource an attribute's expression names, where evaluated items were
written) it asks this view, which project.py implements. A Protocol, so that
resource_facts does not import the module that calls it.
"""

from __future__ import annotations

from typing import Protocol

from linter.adapters.terraform.values import LocMap
from linter.model import Ref


class ResourceView(Protocol):
    @property
    def locmap(self) -> LocMap:
        """Where the items of evaluated dicts and lists were written."""
        ...

    def reference(self, name: str) -> Ref | None:
        """The resource the expression of attribute `name` names (`aws_s3_bucket.b.bucket`
        names aws_s3_bucket.b whatever its value), or None."""
        ...
