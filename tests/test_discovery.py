from __future__ import annotations

from pathlib import Path

import pytest

from linter.discovery import Format, discover
from linter.exclude import Excluder


def make(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


CFN = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"
CFN_NO_VERSION = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
POLICY = '{"Version": "2012-10-17", "Statement": []}'


def test_classifies_by_content(tmp_path: Path) -> None:
    make(tmp_path, {
        "main.tf": "",
        "x.tf.json": "{}",
        "stack.yaml": CFN,
        "stack2.yml": CFN_NO_VERSION,
        "legacy.template": CFN,
        "policy.json": POLICY,
        "package.json": '{"name": "x"}',
        "k8s.yaml": "apiVersion: v1\nkind: Pod\n",
        ".github/workflows/ci.yml": "on: push\n",
        "terraform.tfvars": "a = 1\n",
        "README.md": "# hi\n",
    })
    files, skipped, missing = discover([tmp_path])
    got = {Path(f.path).name: f.format for f in files}
    assert got == {
        "main.tf": Format.TERRAFORM,
        "x.tf.json": Format.TERRAFORM_JSON,
        "stack.yaml": Format.CLOUDFORMATION,
        "stack2.yml": Format.CLOUDFORMATION,
        "legacy.template": Format.CLOUDFORMATION,
        "policy.json": Format.IAM_POLICY,
    }
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert "package.json" in reasons and "k8s.yaml" in reasons
    assert "ci.yml" not in reasons  # inside a hidden directory: not even visited
    assert missing == []


def test_skips_tool_directories_unless_named(tmp_path: Path) -> None:
    make(tmp_path, {
        ".terraform/modules/m/main.tf": "",
        "node_modules/x/main.tf": "",
        ".git/x.tf": "",
        ".hidden/main.tf": "",
        "ok/main.tf": "",
    })
    files, _, _ = discover([tmp_path])
    assert [Path(f.path).relative_to(tmp_path).as_posix() for f in files] == ["ok/main.tf"]
    named, _, _ = discover([tmp_path / ".hidden"])
    assert [Path(f.path).name for f in named] == ["main.tf"]


def test_missing_paths_and_duplicates(tmp_path: Path) -> None:
    make(tmp_path, {"main.tf": ""})
    files, _, missing = discover([tmp_path, tmp_path / "main.tf", tmp_path / "nope"])
    assert len(files) == 1
    assert missing == [str(tmp_path / "nope")]


def test_exclude_patterns_prune_the_walk(tmp_path: Path) -> None:
    make(tmp_path, {
        "main.tf": "",
        "build/out.tf": "",
        "src/build/x.tf": "",
        "gen/generated/a.tf": "",
        "generated/b.tf": "",
        "generated/keep.yaml": CFN,
        "tests/fixtures/f.tf": "",
        "src/tests/fixtures/g.tf": "",
        "build.tf": "",
    })
    exclude = Excluder(["build/", "**/generated/*.tf", "tests/fixtures"], str(tmp_path))
    files, skipped, _ = discover([tmp_path], exclude)
    got = sorted(Path(f.path).relative_to(tmp_path).as_posix() for f in files)
    assert got == ["build.tf", "generated/keep.yaml", "main.tf", "src/tests/fixtures/g.tf"]
    excluded = {Path(s.path).relative_to(tmp_path).as_posix(): s.reason
                for s in skipped if s.pattern}
    assert excluded == {
        "build": "excluded by pattern 'build/'",
        "src/build": "excluded by pattern 'build/'",
        "gen/generated/a.tf": "excluded by pattern '**/generated/*.tf'",
        "generated/b.tf": "excluded by pattern '**/generated/*.tf'",
        "tests/fixtures": "excluded by pattern 'tests/fixtures'",
    }


def test_exclude_applies_to_named_paths(tmp_path: Path) -> None:
    make(tmp_path, {"build/out.tf": "", "ok.tf": ""})
    exclude = Excluder(["build/"], str(tmp_path))
    files, skipped, _ = discover([tmp_path / "build" / "out.tf", tmp_path / "ok.tf"], exclude)
    assert [Path(f.path).name for f in files] == ["ok.tf"]
    assert [s.pattern for s in skipped] == ["build/"]


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "excluded"),
    [
        ("build/", "build", False, False),  # a trailing slash: directories only
        ("*.bak.yaml", "a/b/c.bak.yaml", False, True),
        ("/top.tf", "top.tf", False, True),
        ("/top.tf", "sub/top.tf", False, False),
        ("a/**", "a/b/c.tf", False, True),
        ("a/**", "a", True, False),
        ("env-[0-9].tf", "x/env-3.tf", False, True),
        ("env-[!0-9].tf", "x/env-3.tf", False, False),
        ("env-?.tf", "env-a.tf", False, True),
        ("modules/*/main.tf", "modules/vpc/main.tf", False, True),
        ("modules/*/main.tf", "modules/vpc/sub/main.tf", False, False),
        ("modules/**/main.tf", "modules/vpc/sub/main.tf", False, True),
    ],
)
def test_exclude_pattern_semantics(
    tmp_path: Path, pattern: str, path: str, is_dir: bool, excluded: bool
) -> None:
    assert (Excluder([pattern], str(tmp_path)).match(str(tmp_path / path), is_dir)
            is not None) is excluded
