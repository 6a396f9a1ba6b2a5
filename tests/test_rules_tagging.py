"""tagging rules over hand-built nodes."""

from __future__ import annotations

from linter.config import Config
from linter.model import UNKNOWN
from rules.tagging import MissingRequiredTags, TagValuePattern, UntaggedResource
from tests.test_rules_support import graph, node, run


def test_untagged_only_taggable_and_only_without_required_tags() -> None:
    bare = node("aws_s3_bucket.a", "s3.bucket", taggable=True)
    tagged = node("aws_s3_bucket.b", "s3.bucket", taggable=True, tags={"Owner": "x"})
    untaggable = node("aws_route.r", "ec2.route", taggable=False)
    unknown = node("aws_s3_bucket.u", "s3.bucket", taggable=True, tags=UNKNOWN)
    g = graph(bare, tagged, untaggable, unknown)
    assert [f.address for f in run(UntaggedResource, g)] == ["aws_s3_bucket.a"]
    assert run(UntaggedResource, g, Config(required_tags=["Owner"])) == []


def test_required_tags_one_finding_per_missing_key() -> None:
    partial = node("aws_s3_bucket.a", "s3.bucket", taggable=True,
                   tags={"Owner": UNKNOWN}, fact_lines={"tags": 8})
    found = run(MissingRequiredTags, graph(partial),
                Config(required_tags=["Owner", "CostCenter", "Environment"]))
    assert [f.message for f in found] == [
        "aws_s3_bucket.a is missing required tag 'CostCenter'",
        "aws_s3_bucket.a is missing required tag 'Environment'",
    ]
    assert {f.location.start_line for f in found} == {8}


def test_tag_value_patterns() -> None:
    good = node("aws_s3_bucket.a", "s3.bucket", taggable=True, tags={"Environment": "prod"})
    bad = node("aws_s3_bucket.b", "s3.bucket", taggable=True, tags={"Environment": "Production"})
    unknown = node("aws_s3_bucket.c", "s3.bucket", taggable=True, tags={"Environment": UNKNOWN})
    cfg = Config(tag_value_patterns={"Environment": "^(dev|staging|prod)$"})
    [f] = run(TagValuePattern, graph(good, bad, unknown), cfg)
    assert f.address == "aws_s3_bucket.b" and "'Production'" in f.message
