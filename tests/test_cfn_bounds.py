"""Every bound of the CloudFormation and policy readers (issue 12): input that would
hang, exhaust memory or overflow the stack gives a located IAC000 or an Unknown with
a reason, and the other files of the scan are still checked. No timing is asserted:
each test is small enough to take seconds even when a bound is broken quadratically,
and the figures are measured separately (README, "CloudFormation and policy limits")."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import pytest

from linter.adapters import AdaptContext, AdaptResult, cfn_foreach, guarded
from linter.adapters import cloudformation as cfn_adapter
from linter.adapters.cfn_eval import MAX_STRING
from linter.config import Config
from linter.loaders.cloudformation import MAX_ALIAS_EXPANSION, CfnTemplate, load_cloudformation
from linter.loaders.iam_json import PolicyFile, load_iam_policy
from linter.loaders.marked import json_to_plain, to_plain
from linter.model import ParseError, Unknown, is_known
from linter.reporters.common import SNIPPET_MAX_WIDTH, SourceCache, _shown_line, printable
from linter.runner import ScanOptions, scan
from rules import RULES
from tests.conftest import shared_path

HEAD = "AWSTemplateFormatVersion: '2010-09-09'\n"
DEEP = 100_000


def _adapt(tmp_path: Path, name: str, text: str) -> AdaptResult:
    doc = load_cloudformation(str(tmp_path / name), text.encode())
    assert isinstance(doc, CfnTemplate), doc
    return cfn_adapter.adapt([doc], AdaptContext(Config(), str(tmp_path)))


def _json_template(resources: str, extra: str = "") -> str:
    return ('{"AWSTemplateFormatVersion": "2010-09-09", ' + extra
            + '"Resources": ' + resources + "}")


# ------------------------------------------------------------------ loaders


def test_yaml_alias_bomb_is_a_parse_error() -> None:
    lines = [HEAD, "Metadata:\n", "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"]
    for i in range(1, 9):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n")
    lines.append("Resources:\n  B: {Type: AWS::S3::Bucket, Properties: {Tags: *a8}}\n")
    err = load_cloudformation("t.yaml", "".join(lines).encode())
    assert isinstance(err, ParseError)
    assert f"{MAX_ALIAS_EXPANSION:,}" in err.message and err.line >= 1


def test_a_few_aliases_are_fine() -> None:
    text = HEAD + "Metadata:\n  tags: &t [{Key: a, Value: b}]\nResources:\n" \
        "  B: {Type: AWS::S3::Bucket, Properties: {Tags: *t}}\n" \
        "  C: {Type: AWS::S3::Bucket, Properties: {Tags: *t}}\n"
    doc = load_cloudformation("t.yaml", text.encode())
    assert isinstance(doc, CfnTemplate)
    assert doc.template["Resources"]["C"]["Properties"]["Tags"] == [{"Key": "a", "Value": "b"}]


@pytest.mark.parametrize("name, text", [
    ("list.json", _json_template('{"B": {"Type": "AWS::S3::Bucket", "Properties": {"X": '
                                 + "[" * DEEP + "]" * DEEP + "}}}")),
    ("map.json", _json_template('{"B": {"Type": "AWS::S3::Bucket", "Properties": {"X": '
                                + '{"a": ' * DEEP + "1" + "}" * DEEP + "}}}")),
    ("list.yaml", HEAD + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                         "      X: " + "[" * DEEP + "]" * DEEP + "\n"),
    ("map.yaml", HEAD + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                        "      X: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n"),
    ("block.yaml", HEAD + "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                          + "".join(" " * (6 + i) + "- \n" for i in range(3000))),
])
def test_deep_nesting_is_a_parse_error(name: str, text: str) -> None:
    err = load_cloudformation(name, text.encode())
    assert isinstance(err, ParseError) and err.line >= 1


def test_deep_policy_is_a_parse_error() -> None:
    text = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", '
            '"Resource": "*", "Condition": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}]}")
    err = load_iam_policy("p.json", text.encode())
    assert isinstance(err, ParseError)


def test_nesting_below_the_loader_bound_is_evaluated_or_located(tmp_path: Path) -> None:
    """Deep enough for the loader but maybe not for the evaluator: a node or an IAC000,
    never an internal error."""
    text = _json_template('{"B": {"Type": "AWS::S3::Bucket", "Properties": {"X": '
                          + "[" * 150 + "]" * 150 + "}}}")
    result = _adapt(tmp_path, "t.json", text)
    assert result.internal_errors == []
    assert result.nodes or result.errors


def test_json_template_lines_match_the_yaml_reading() -> None:
    """The JSON decoder gives the same values and, where the YAML reading located a
    path, the same lines (it also locates numbers in lists, which YAML leaves unmarked)."""
    from cfnlint.decode import cfn_yaml

    files = glob.glob("fixtures/**/*.json", recursive=True)
    assert files
    for name in files:
        text = Path(name).read_text(encoding="utf-8-sig")
        try:
            json.loads(text)
            old_value, old_locs = to_plain(cfn_yaml.loads(text, name), text, is_json=False)
        except Exception:
            continue
        value, locs = json_to_plain(text)
        assert value == old_value, name
        assert {k: locs.get(k) for k in old_locs} == old_locs, name


def test_json_duplicate_keys_are_located() -> None:
    text = b'{"AWSTemplateFormatVersion": "x",\n "Resources": {"A": {"Type": "AWS::S3::Bucket"}' \
        b',\n  "A": {"Type": "AWS::S3::Bucket"}}}'
    err = load_cloudformation("t.json", text)
    assert err == ParseError("t.json", 2, "Duplicate found 'A' (line 2)", 16)


def test_yaml_duplicate_keys_are_located() -> None:
    err = load_cloudformation("t.yaml", (HEAD + "Resources:\n  A: 1\n  B: 2\n  A: 3\n").encode())
    assert err == ParseError("t.yaml", 3, "Duplicate found 'A' (line 3)", 3)


def test_many_keys_in_one_mapping_load() -> None:
    body = "".join(f"  R{i}: {{Type: AWS::S3::Bucket}}\n" for i in range(20_000))
    doc = load_cloudformation("t.yaml", (HEAD + "Resources:\n" + body).encode())
    assert isinstance(doc, CfnTemplate) and len(doc.template["Resources"]) == 20_000


def test_policy_with_many_statements_loads() -> None:
    stmts = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*"}
             for i in range(20_000)]
    doc = load_iam_policy("p.json", json.dumps({"Statement": stmts}).encode())
    assert isinstance(doc, PolicyFile)
    assert doc.location(("Statement", 19_999)).start_line == 1


# ------------------------------------------------------------------ evaluation


def _doubling(function: str, levels: int) -> str:
    expr = '"xxxxxxxx"'
    for _ in range(levels):
        if function == "sub":
            expr = '{"Fn::Sub": ["${a}${a}", {"a": ' + expr + "}]}"
        else:
            expr = '{"Fn::Join": [' + expr + ', ["a", "b", "c"]]}'
    return _json_template('{"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": '
                          + expr + "}}}")


@pytest.mark.parametrize("function", ["sub", "join"])
def test_doubling_strings_stop_at_the_cap(tmp_path: Path, function: str) -> None:
    result = _adapt(tmp_path, "t.json", _doubling(function, 40))
    assert result.errors == [] and result.internal_errors == []
    (node,) = result.nodes
    assert not is_known(node.attrs["BucketName"])


def test_a_string_under_the_cap_is_known(tmp_path: Path) -> None:
    result = _adapt(tmp_path, "t.json", _doubling("sub", 10))
    (node,) = result.nodes
    assert node.attrs["BucketName"] == "x" * 8 * 2 ** 10
    assert MAX_STRING > 8 * 2 ** 10


def test_the_cap_says_why(tmp_path: Path) -> None:
    big = "x" * (MAX_STRING // 2 + 1)
    text = _json_template('{"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": '
                          '{"Fn::Join": ["", [{"Ref": "P"}, {"Ref": "P"}]]}}}}',
                          '"Parameters": {"P": {"Type": "String", "Default": "' + big + '"}}, ')
    (node,) = _adapt(tmp_path, "t.json", text).nodes
    value = node.attrs["BucketName"]
    assert isinstance(value, Unknown) and "limit" in value.reason


def _loops(levels: int, items: int) -> str:
    names = json.dumps([f"I{i}" for i in range(items)])
    body = '{"Bucket' + "".join(f"${{L{i}}}" for i in range(levels)) + \
        '": {"Type": "AWS::S3::Bucket"}}'
    for i in reversed(range(levels)):
        body = f'{{"Fn::ForEach::L{i}": ["L{i}", {names}, {body}]}}'
    return _json_template(body, '"Transform": "AWS::LanguageExtensions", ')


def test_foreach_fan_out_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cfn_foreach, "MAX_INSTANCES", 200)
    monkeypatch.setattr(cfn_adapter, "MAX_INSTANCES", 200)
    result = _adapt(tmp_path, "t.json", _loops(3, 30))
    (err,) = result.errors
    assert "200" in err.message and err.line == 1
    assert 0 < len(result.nodes) <= 200
    assert result.internal_errors == []


def test_foreach_under_the_bound_is_complete(tmp_path: Path) -> None:
    result = _adapt(tmp_path, "t.json", _loops(2, 10))
    assert result.errors == [] and len(result.nodes) == 100


def test_foreach_over_a_huge_split_is_bounded(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cfn_foreach, "MAX_INSTANCES", 50)
    items = '{"Fn::Split": [",", "' + ",".join(f"i{i}" for i in range(100_000)) + '"]}'
    body = '{"Fn::ForEach::L": ["L", ' + items + ', {"B${L}": {"Type": "AWS::S3::Bucket"}}]}'
    result = _adapt(tmp_path, "t.json", _json_template(body))
    assert len(result.errors) == 1 and len(result.nodes) == 50


@pytest.mark.parametrize("conditions", [
    # a cycle through 50 conditions
    {f"C{i}": {"Fn::And": [{"Condition": f"C{(i + 1) % 50}"}, {"Condition": f"C{(i + 2) % 50}"}]}
     for i in range(50)},
    # a chain where each condition names the previous one twice (2 ** 60 paths unmemoized)
    {"C0": {"Fn::Equals": [{"Ref": "P"}, "x"]},
     **{f"C{i}": {"Fn::Or": [{"Condition": f"C{i - 1}"}, {"Fn::Not": [{"Condition": f"C{i - 1}"}]}]}
        for i in range(1, 60)}},
])
def test_condition_graphs_terminate(tmp_path: Path, conditions: dict[str, object]) -> None:
    last = sorted(conditions, key=lambda c: int(c[1:]))[-1]
    text = json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09", "Parameters": {"P": {"Type": "String"}},
        "Conditions": conditions,
        "Resources": {"B": {"Type": "AWS::S3::Bucket", "Condition": last,
                            "Properties": {"BucketName": {"Fn::If": [last, "a", "b"]}}}}})
    result = _adapt(tmp_path, "t.json", text)
    assert result.internal_errors == []


def test_nested_undecided_ifs_terminate(tmp_path: Path) -> None:
    conditions = {f"C{i}": {"Fn::Equals": [{"Ref": "P"}, str(i)]} for i in range(30)}
    chain: object = "x"
    for i in range(30):  # nested: one branch each
        chain = {"Fn::If": [f"C{i}", chain, "y"]}
    parts = [{"Fn::If": [f"C{i}", "a", "b"]} for i in range(30)]  # 2 ** 30 combinations
    text = json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09", "Parameters": {"P": {"Type": "String"}},
        "Conditions": conditions,
        "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": {"Fn::Join": ["", [chain, *parts]]}}}}})
    result = _adapt(tmp_path, "t.json", text)
    assert result.internal_errors == [] and len(result.nodes) == 1


# ------------------------------------------------------------------ error contract


def test_memory_error_in_a_unit_is_a_located_parse_error() -> None:
    result = AdaptResult()

    def work() -> None:
        raise MemoryError

    assert guarded(result, "t.json", "the CloudFormation adapter", work) is None
    assert result.internal_errors == []
    assert [(e.path, e.line) for e in result.errors] == [("t.json", 1)]
    assert "memory" in result.errors[0].message


def test_one_exhausting_template_does_not_lose_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + "Resources:\n  A: {Type: AWS::S3::Bucket}\n")
    (tmp_path / "b.yaml").write_text(HEAD + "Resources:\n  B: {Type: AWS::S3::Bucket}\n")
    real = cfn_adapter.adapt_template

    def exhausting(template: CfnTemplate, *args: object) -> None:
        if template.path.endswith("a.yaml"):
            raise MemoryError
        real(template, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cfn_adapter, "adapt_template", exhausting)
    result = scan(ScanOptions(paths=[str(tmp_path)], rules=[r() for r in RULES]))
    assert result.internal_errors == []
    assert [Path(e.path).name for e in result.errors] == ["a.yaml"]
    assert {n.address for n in result.graph} == {"B"}


# ------------------------------------------------------------------ excerpts


def _old_shown_line(line: str) -> str:
    text = printable(line.rstrip())
    if len(text) > SNIPPET_MAX_WIDTH:
        text = text[: SNIPPET_MAX_WIDTH - 1] + "…"
    return text


@pytest.mark.parametrize("line", [
    "", "  a  ", "x" * 500, "\t" * 60 + "y", "\x1b[31m" * 100, "a" * 199 + "\x00" + "b" * 50,
    "é" * 201, "x" * 200 + " " * 50, "x" * 201 + " " * 50, "ab\u2028cd", "\x00" * 300,
])
def test_excerpt_lines_are_cut_as_before(line: str) -> None:
    assert _shown_line(line) == _old_shown_line(line)


def test_excerpts_of_a_one_line_file(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("{" + '"a": 1, ' * 100_000 + "}")
    cache = SourceCache()
    for _ in range(1000):
        snippet = cache.snippet(str(path), 1, 1)
        assert snippet is not None and len(snippet.lines[0][1]) == SNIPPET_MAX_WIDTH


def test_corpus_json_lines_match_the_yaml_reading() -> None:
    from cfnlint.decode import cfn_yaml

    corpus = shared_path("corpus")
    for name in glob.glob(str(corpus) + "/**/*.json", recursive=True):
        text = Path(name).read_text(encoding="utf-8-sig", errors="replace")
        try:
            json.loads(text)
            old_value, old_locs = to_plain(cfn_yaml.loads(text, name), text, is_json=False)
        except Exception:
            continue
        value, locs = json_to_plain(text)
        assert value == old_value, name
        assert {k: locs.get(k) for k in old_locs} == old_locs, name


def test_memory_error_while_loading_is_a_parse_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.loaders import cloudformation as loader

    def exhausting(path: str, text: str) -> None:
        raise MemoryError

    monkeypatch.setattr(loader, "decode_plain", exhausting)
    err = load_cloudformation("t.yaml", (HEAD + "Resources: {}\n").encode())
    assert isinstance(err, ParseError) and "memory" in err.message
    err = load_iam_policy("p.json", b'{"Statement": [{"Effect": "Allow", "Action": "*"}]}')
    assert isinstance(err, ParseError) and "memory" in err.message


def test_deny_statements_compared_per_document_are_bounded(tmp_path: Path) -> None:
    from rules.iam_wildcard import MAX_DENIES, grants

    stmts = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}] + [
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": f"arn:aws:s3:::b{i}"}
        for i in range(MAX_DENIES + 50)]
    (tmp_path / "p.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": stmts}))
    result = scan(ScanOptions(paths=[str(tmp_path)], rules=[r() for r in RULES]))
    (grant,) = grants(result.graph)
    assert len(grant.denies) == MAX_DENIES
    assert result.internal_errors == [] and result.rule_crashes == []
