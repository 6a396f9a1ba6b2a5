"""Cross-node linking that is the same for every language.

Terraform and CloudFormation both let a separate resource configure another
(an encryption configuration for a bucket, an ingress rule for a security
group). Adapters record the pointer as a fact holding a Ref; this pass attaches
the configuration to its target so rules see the effective configuration.
"""

from __future__ import annotations

from linter.model import Graph, Ref


def link(graph: Graph) -> None:
    _attach_bucket_encryption(graph)


def _attach_bucket_encryption(graph: Graph) -> None:
    for cfg in graph.of_kind("s3.bucket_encryption"):
        bucket = graph.resolve(cfg.fact("bucket"))
        if bucket is None or bucket.kind != "s3.bucket":
            continue
        if bucket.fact("encryption") is None and cfg.fact("encryption") is not None:
            bucket.facts["encryption"] = cfg.fact("encryption")
            bucket.fact_locs["encryption"] = cfg.fact_loc("encryption")
            bucket.facts["encryption_from"] = Ref(cfg.id)
