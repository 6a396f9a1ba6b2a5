"""`json_fast.json_to_plain` gives exactly what `marked.json_to_plain` gives (values
with their types, key order, line map), or None where that one must word an error."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import pytest

from linter.loaders import json_fast
from linter.loaders.marked import json_to_plain
from tests.conftest import FIXTURES, shared_path


def _check(text: str) -> bool:
    """True when the fast reading answered (and matched)."""
    fast = json_fast.json_to_plain(text)
    if fast is None:
        return False
    assert repr(fast) == repr(json_to_plain(text))
    return True


def _check_tree(root: Path) -> int:
    count = 0
    for name in glob.glob(str(root) + "/**/*.json", recursive=True):
        text = Path(name).read_text(encoding="utf-8-sig", errors="replace")
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            continue
        assert _check(text), name
        count += 1
    return count


def test_fixtures() -> None:
    assert _check_tree(FIXTURES) > 20


def test_corpus() -> None:
    assert _check_tree(shared_path("corpus")) > 100


SAME = {
    "empty containers": '{"a": {}, "b": [],\n "c": [{}, []],\n "d": {\n}}',
    "strings": '{"a": "x\\"}{[", "b": ["\\\\", "\\u00e9 é", ""],\n"c\\n": "]"}',
    "scalars": '[1, -2.5e3, true, false, null,\n 0, "1"]',
    "nested lines": '{\n  "a": [\n    1,\n    {"b":\n      2}\n  ]\n}\n\n',
    "top-level scalar": ' "x" ',
    "one line": '{"a": 1, "b": [1, 2], "c": {"d": "e"}}',
    "whitespace": '\t{ "a" :\r\n [ 1 ,\n2 ] }\n',
}
UNSURE = {
    "duplicate": '{"a": 1, "a": 2}',
    "nan": '{"a": NaN}',
    "too deep": "[" * 450 + "]" * 450,
}


@pytest.mark.parametrize("text", SAME.values(), ids=SAME.keys())
def test_same(text: str) -> None:
    assert _check(text)


@pytest.mark.parametrize("text", UNSURE.values(), ids=UNSURE.keys())
def test_errors_are_left_to_the_line_keeping_decoder(text: str) -> None:
    assert json_fast.json_to_plain(text) is None
