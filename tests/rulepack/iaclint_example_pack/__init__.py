"""A third-party rule pack: flags S3 buckets whose name is written literally."""

from __future__ import annotations

from collections.abc import Iterable

from linter.config import Config
from linter.model import Finding, Graph, Severity, is_known
from linter.rule import Rule


class HardcodedBucketName(Rule):
    id = "EXT001"
    title = "S3 bucket name is hard-coded"
    category = "tagging"
    severity = Severity.LOW
    description = "Hard-coded bucket names collide across accounts and regions."
    remediation = {"terraform": "Use bucket_prefix or a variable."}

    def check(self, graph: Graph, config: Config) -> Iterable[Finding]:
        for node in graph.of_kind("s3.bucket"):
            name = node.attrs.get("bucket", node.attrs.get("BucketName"))
            if isinstance(name, str) and is_known(name):
                yield self.finding(node, f"bucket name {name!r} is written literally")


RULES = [HardcodedBucketName]
