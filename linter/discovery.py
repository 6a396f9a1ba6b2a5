"""Find the files to scan and decide, by content, what each one is.

Classification reads only a cheap prefix sniff; the loader makes the final call
(a JSON file that mentions "Statement" but is not a policy is dropped there).
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from linter.exclude import Excluder

SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", ".hg", ".svn", "__pycache__"})
MAX_BYTES = 5 * 1024 * 1024


class Format(str, enum.Enum):
    TERRAFORM = "terraform"  # .tf (HCL)
    TERRAFORM_JSON = "terraform-json"  # .tf.json
    CLOUDFORMATION = "cloudformation"
    IAM_POLICY = "iam-policy"
    TERRAFORM_PLAN = "terraform-plan"  # `terraform show -json` of a plan


@dataclass(frozen=True)
class SourceFile:
    path: str  # absolute
    format: Format


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str
    #: The `exclude` pattern that removed it; such entries are files or directories.
    pattern: str | None = None


def excluded_by(path: str, pattern: str) -> Skipped:
    return Skipped(path, f"excluded by pattern {pattern!r}", pattern)


_CFN_MARKERS = re.compile(rb"AWSTemplateFormatVersion|AWS::Serverless-2016-10-31")
_CFN_TYPE = re.compile(rb"""["']?Type["']?\s*:\s*["']?(AWS|Alexa|Custom)::""")
_RESOURCES = re.compile(rb"""(^|[\s{,])["']?Resources["']?\s*:""", re.M)
_STATEMENT = re.compile(rb'"Statement"\s*:')
_PLAN_VERSION = re.compile(rb'"format_version"\s*:')
_PLAN_PART = re.compile(rb'"(planned_values|resource_changes|configuration)"\s*:')
_JSON_EXT = (".json",)
_YAML_EXT = (".yaml", ".yml", ".template", ".cfn", ".json")


def _is_plan(head: bytes) -> bool:
    """A Terraform plan (`terraform show -json`): `format_version` and a plan part, with
    `format_version` (Terraform writes it first) before any CloudFormation or policy
    marker, since a plan's values may hold a template body or policy text, while a
    template or policy that merely mentions these names is not a plan."""
    version = _PLAN_VERSION.search(head)
    if version is None or _PLAN_PART.search(head) is None:
        return False
    others = [m.start() for m in (_CFN_MARKERS.search(head), _RESOURCES.search(head),
                                  _STATEMENT.search(head)) if m is not None]
    return not others or version.start() < min(others)


def classify(path: Path, head: bytes) -> Format | str:
    """The file's format, or a reason string why it is not scanned."""
    name = path.name.lower()
    if name.endswith(".tf"):
        return Format.TERRAFORM
    if name.endswith(".tf.json"):
        return Format.TERRAFORM_JSON
    if name.endswith((".tfvars", ".tfvars.json")):
        return "Terraform variables file (read with its module)"
    if not name.endswith(_YAML_EXT + _JSON_EXT) and not name.endswith(".txt"):
        return "not an infrastructure file extension"
    if name.endswith(".json") and _is_plan(head):
        return Format.TERRAFORM_PLAN
    if _CFN_MARKERS.search(head) or (_RESOURCES.search(head) and _CFN_TYPE.search(head)):
        return Format.CLOUDFORMATION
    if name.endswith(".json") and _STATEMENT.search(head):
        return Format.IAM_POLICY
    if name.endswith(".json") and (b"UserDetailList" in head or b"RoleDetailList" in head):
        return Format.IAM_POLICY
    return "no CloudFormation or IAM policy markers"


def discover(
    paths: Iterable[str | os.PathLike[str]],
    exclude: Excluder | None = None,
) -> tuple[list[SourceFile], list[Skipped], list[str]]:
    """Walk `paths`; returns (files to scan, skipped files, missing paths).

    Excluded directories are not entered; each is listed once in the skipped list.
    A path named explicitly is excluded too (pre-commit names every staged file).
    """
    found: dict[str, SourceFile] = {}
    skipped: list[Skipped] = []
    missing: list[str] = []
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            missing.append(str(raw))
            continue
        pattern = exclude.match(str(root), root.is_dir()) if exclude else None
        if pattern is not None:
            skipped.append(excluded_by(str(root.resolve()), pattern))
            continue
        if root.is_file():
            _consider(root.resolve(), found, skipped, explicit=True)
            continue
        real_root = root.resolve()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(
                d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")
            )
            if exclude:
                # os.walk does not follow links: the real directory is the root's + rel.
                real = os.path.normpath(real_root / os.path.relpath(dirpath, root))
                dirnames[:] = _unexcluded(real, dirnames, True, exclude, skipped)
                filenames = _unexcluded(real, filenames, False, exclude, skipped)
            for fname in sorted(filenames):
                _consider(Path(dirpath, fname).resolve(), found, skipped, explicit=False)
    return sorted(found.values(), key=lambda f: f.path), skipped, missing


def _unexcluded(
    dirpath: str, names: list[str], is_dir: bool, exclude: Excluder, skipped: list[Skipped]
) -> list[str]:
    keep: list[str] = []
    for name in names:
        path = os.path.join(dirpath, name)
        pattern = exclude.match_entry(path, is_dir)
        if pattern is None:
            keep.append(name)
        else:
            skipped.append(excluded_by(path, pattern))
    return keep


def _consider(
    path: Path, found: dict[str, SourceFile], skipped: list[Skipped], explicit: bool
) -> None:
    key = str(path)
    if key in found:
        return
    if path.name.startswith(".") and not explicit:
        skipped.append(Skipped(key, "hidden file"))
        return
    try:
        size = path.stat().st_size
    except OSError as exc:
        skipped.append(Skipped(key, f"cannot stat: {exc.strerror}"))
        return
    if size > MAX_BYTES:
        skipped.append(Skipped(key, f"larger than {MAX_BYTES // (1024 * 1024)} MiB"))
        return
    head = b""
    if not path.name.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")):
        try:
            with open(path, "rb") as fh:
                head = fh.read(256 * 1024)
        except OSError as exc:
            skipped.append(Skipped(key, f"cannot read: {exc.strerror}"))
            return
    verdict = classify(path, head)
    if isinstance(verdict, Format):
        found[key] = SourceFile(key, verdict)
    else:
        skipped.append(Skipped(key, verdict))
