"""Property-based fuzzing of every loader (issue 12): a fixture file mutated by byte
flips, truncation, repeated lines (duplicated keys), deep nesting, deletions and
random unicode loads as a document, its own ParseError or None (not its format),
never another exception, and each example within hypothesis's deadline.

CI runs a short, derandomized pass; `IACLINT_FUZZ_EXAMPLES=5000 pytest
tests/test_fuzz_loaders.py` runs a long one (random, so each run explores more).
hypothesis's example database is off so nothing is written to the home or working
directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.loaders.cloudformation import CfnTemplate, load_cloudformation
from linter.loaders.iam_json import PolicyFile, load_iam_policy
from linter.loaders.terraform import TerraformFile, load_terraform
from linter.model import ParseError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLES = int(os.environ.get("IACLINT_FUZZ_EXAMPLES", "0") or 0)
FUZZ = settings(
    max_examples=EXAMPLES or 40,
    derandomize=not EXAMPLES,
    deadline=timedelta(seconds=3),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Loader = Callable[[str, bytes], Any]
#: loader → (file name it is given, fixtures it mutates, what it may return)
CASES: dict[str, tuple[Loader, str, list[str], tuple[type, ...]]] = {
    "terraform": (load_terraform, "main.tf", [
        "terraform/network/main.tf", "terraform/iam/main.tf", "terraform/expansion/main.tf",
        "terraform/syntax/ok.tf"], (TerraformFile,)),
    "terraform-json": (load_terraform, "main.tf.json", [
        "terraform/json_syntax/main.tf.json"], (TerraformFile,)),
    "cloudformation-yaml": (load_cloudformation, "template.yaml", [
        "cloudformation/network.yaml", "cloudformation/conditions.yaml",
        "cloudformation/sam.yaml"], (CfnTemplate,)),
    "cloudformation-json": (load_cloudformation, "template.json", [
        "cloudformation/iam.json"], (CfnTemplate,)),
    "iam": (load_iam_policy, "policy.json", [
        "iam/admin_policy.json", "iam/authorization_details.json", "iam/policy_list.json",
        "iam/trust_policy.json"], (PolicyFile,)),
}


@pytest.fixture(autouse=True, scope="module")
def _no_parse_cache() -> Iterator[None]:
    """Mutants must not fill the user's Terraform parse cache; each loader runs once
    before the deadline counts (building the HCL parser and importing cfn-lint take
    seconds, which hypothesis would report as a flaky deadline)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IACLINT_NO_CACHE", "1")
        for loader, name, files, _ in CASES.values():
            loader(f"/fuzz/{name}", (FIXTURES / files[0]).read_bytes())
        yield


def _flip(data: bytes, at: int, value: int) -> bytes:
    at %= max(len(data), 1)
    return data[:at] + bytes([value]) + data[at + 1:]


def _truncate(data: bytes, at: int, _value: int) -> bytes:
    return data[: at % (len(data) + 1)]


def _repeat_line(data: bytes, at: int, _value: int) -> bytes:
    lines = data.split(b"\n")
    i = at % len(lines)
    return b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1:]])


def _delete(data: bytes, at: int, value: int) -> bytes:
    at %= max(len(data), 1)
    return data[:at] + data[at + value:]


def _nest(data: bytes, at: int, value: int) -> bytes:
    at %= len(data) + 1
    opener, closer = [(b"[", b"]"), (b"{", b"}"), (b'{"a": ', b"}"), (b"{a: ", b"}"),
                      (b"- ", b"")][value % 5]
    depth = 1000 + value * 100
    return data[:at] + opener * depth + b"1" + closer * depth + data[at:]


MUTATIONS = [_flip, _truncate, _repeat_line, _delete, _nest]


@st.composite
def mutants(draw: st.DrawFn, files: list[str]) -> bytes:
    data = (FIXTURES / draw(st.sampled_from(files))).read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            mutate = draw(st.sampled_from(MUTATIONS))
            data = mutate(data, draw(st.integers(0, 1 << 16)), draw(st.integers(0, 255)))
        else:
            text = draw(st.text(min_size=1, max_size=20)).encode("utf-8", "surrogatepass")
            at = draw(st.integers(0, len(data)))
            data = data[:at] + text + data[at:]
    return data


def _check(case: str, data: bytes) -> None:
    loader, name, _, documents = CASES[case]
    result = loader(f"/fuzz/{name}", data)  # any other exception fails the example
    if isinstance(result, ParseError):
        assert result.line >= 1 and result.message
    else:
        assert result is None or isinstance(result, documents), type(result)


@pytest.mark.parametrize("case", sorted(CASES))
def test_loaders_survive_mutated_fixtures(case: str) -> None:
    @FUZZ
    @given(data=mutants(CASES[case][2]))
    def run(data: bytes) -> None:
        _check(case, data)

    run()


@pytest.mark.parametrize("case", sorted(CASES))
def test_loaders_survive_arbitrary_bytes(case: str) -> None:
    @FUZZ
    @given(data=st.binary(max_size=2000) | st.text(max_size=500).map(
        lambda t: t.encode("utf-8", "surrogatepass")))
    def run(data: bytes) -> None:
        _check(case, data)

    run()
