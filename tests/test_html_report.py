"""The HTML report (linter/reporters/html.py): valid HTML5, self-contained, escaped,
deterministic under SOURCE_DATE_EPOCH, and counting what the JSON report counts."""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import html5lib
import pytest

from linter.cli import main
from rules import RULES

from .conftest import FIXTURES, OPEN_SSH_TF, REPO

TERRAGOAT = FIXTURES / "terragoat-like"
#: The only external URLs a report may hold: links to rule documentation, never fetched.
DOC_LINKS = {link for rule in RULES for link in rule.links}


def _report(tmp_path: Path, target: Path, name: str = "r") -> tuple[str, dict[str, object]]:
    """(HTML, JSON report) of one CLI run on `target`."""
    html_path, json_path = tmp_path / f"{name}.html", tmp_path / f"{name}.json"
    code = main(["scan", str(target), "-f", "html", "-o", str(html_path),
                 "--json-output", str(json_path), "--no-color"])
    assert code in (0, 1)
    return html_path.read_text(encoding="utf-8"), json.loads(json_path.read_text())


def parse_errors(page: str) -> list[str]:
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(page)
    return [f"{pos}: {code} {data}" for pos, code, data in parser.errors]


@pytest.fixture(scope="module")
def fixtures_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, object]]:
    return _report(tmp_path_factory.mktemp("html"), FIXTURES)


@pytest.fixture(scope="module")
def terragoat_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, object]]:
    return _report(tmp_path_factory.mktemp("html"), TERRAGOAT)


def test_valid_html5(fixtures_report: tuple[str, dict[str, object]],
                     terragoat_report: tuple[str, dict[str, object]]) -> None:
    for page, _ in (fixtures_report, terragoat_report):
        assert parse_errors(page) == []
        html5lib.HTMLParser(strict=True).parse(page)  # raises on the first error


def test_self_contained(fixtures_report: tuple[str, dict[str, object]]) -> None:
    page, _ = fixtures_report
    assert "<link" not in page and "<img" not in page and "@import" not in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    urls = re.findall(r"""(?:src|href|action)=["']?([^"' >]+)|url\(([^)]*)\)""", page)
    external = {u for pair in urls for u in pair if re.match(r"(?i)\s*['\"]?(https?:)?//", u)}
    assert external <= DOC_LINKS, external - DOC_LINKS
    # Every other http(s) URL in the page is text (rule descriptions), never a reference.
    assert not re.search(r"(?i)(src|action)=[\"']?https?:", page)

    script = page[page.index("<script>"):]
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink  # the script only toggles `hidden`


def test_header_counts_equal_json(terragoat_report: tuple[str, dict[str, object]],
                                  fixtures_report: tuple[str, dict[str, object]]) -> None:
    for page, data in (terragoat_report, fixtures_report):
        summary = data["summary"]
        assert isinstance(summary, dict)
        shown = header_counts(page)
        assert shown["findings"] == summary["findings"]
        assert shown["suppressed"] == summary["suppressed"]
        assert shown["files"] == summary["files_scanned"]
        for sev, n in summary["by_severity"].items():
            assert shown[sev] == n, sev
        findings = data["findings"]
        assert isinstance(findings, list)
        categories = Counter(f["category"] for f in findings)
        assert category_counts(page) == dict(categories)
        assert page.count('data-state="active"') == summary["findings"]
        assert page.count('data-state="accepted"') == summary["suppressed"]


def header_counts(page: str) -> dict[str, int]:
    """Counts the header shows: totals (data-count) and per severity (data-severity)."""
    out = {k: int(v) for k, v in re.findall(r'<dd data-count="(\w+)">(\d+)</dd>', page)}
    out |= {k: int(v) for k, v in re.findall(r'<td data-count="(\w+)">(\d+)</td>', page)}
    out |= {k: int(v) for k, v in re.findall(r'<td data-severity="(\w+)">(\d+)</td>', page)}
    return out


def category_counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'<td data-category="([\w-]+)">(\d+)</td>', page)}


def test_path_picture_and_excerpt(terragoat_report: tuple[str, dict[str, object]]) -> None:
    page, _ = terragoat_report
    article = _article(page, "IAC012")
    chain = re.findall(r'<code class="addr">([^<]+)</code>', article)
    assert chain == ["aws_db_instance.farm", "aws_db_subnet_group.farm", "aws_subnet.app",
                     "aws_route_table_association.app", "aws_route_table.app",
                     "aws_route.app_internet", "aws_internet_gateway.farm", "aws_subnet.data"]
    assert "internet gateway" in article and "network.tf:6" in article
    assert re.search(r'<span class="mk">▶</span><mark>\s*publicly_accessible\s+= true</mark>',
                     article)
    assert '<a href="#rule-IAC012">IAC012</a>' in article
    assert 'id="rule-IAC012"' in page


def _article(page: str, rule_id: str) -> str:
    match = re.search(rf'<article class="finding"[^>]*>\n<h\d[^>]*><a href="#rule-{rule_id}"'
                      r'.*?</article>', page, re.S)
    assert match, rule_id
    return match.group(0)


def test_suppressed_collapsed_with_reason(terragoat_report: tuple[str, dict[str, object]]
                                          ) -> None:
    page, _ = terragoat_report
    accepted = page[page.index('id="accepted"'):page.index('id="rules"')]
    assert "<details>" in accepted
    article = _article(accepted, "IAC020")
    assert "until 2099-12-31" in article and "demo database, a single AZ is accepted" in article


def test_headings_in_order_and_labelled_inputs(
        fixtures_report: tuple[str, dict[str, object]]) -> None:
    page, _ = fixtures_report
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), "a heading level is skipped"
    assert "<main>" in page and "<nav " in page
    for ident in re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', page):
        assert f'<label for="{ident}">' in page, ident
    assert not re.search(r'<label class="check"><input(?![^>]*type="checkbox")', page)


def test_hostile_file_is_escaped(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    hostile = OPEN_SSH_TF.replace(
        '    protocol    = "tcp"\n',
        '    protocol    = "tcp" # </code></pre><script>alert(1)</script><img src=x>\n')
    (src / "main.tf").write_text(hostile + "# " + "A" * 5000 + "\n", encoding="utf-8")
    page, _ = _report(tmp_path, src)
    assert "<script>alert(1)" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # the report's own
    assert "A" * 300 not in page  # excerpt lines are capped
    assert parse_errors(page) == []


def test_deterministic_with_source_date_epoch(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first, _ = _report(tmp_path, TERRAGOAT, "a")
    second, _ = _report(tmp_path, TERRAGOAT, "b")
    assert first == second
    assert '<time datetime="2026-01-01T00:00:00+00:00">2026-01-01 00:00:00 UTC</time>' in first


def test_html_output_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "extra.html"
    code = main(["scan", "fixtures/terragoat-like", "-q", "--html-output", str(out)])
    assert code == 1
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<li><code>fixtures/terragoat-like</code></li>" in page  # scanned, as given


def test_no_findings(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.tf").write_text('variable "x" {}\n')
    page, _ = _report(tmp_path, tmp_path / "src")
    assert "<p>No findings.</p>" in page and parse_errors(page) == []
