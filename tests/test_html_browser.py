"""The HTML report as a person sees it: headless Chromium (no Playwright, no network)
renders it, `--dump-dom` gives the DOM after the page's script ran, `--screenshot`
what it looks like at 1280 and 320 px. Skipped only where chromium is not installed.

With IACLINT_SCREENSHOT_DIR set, the screenshots are copied there."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib
import pytest

from linter.cli import main

from .conftest import FIXTURES

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="chromium is not installed (headless browser test)")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, int]]]:
    """name → (HTML report, JSON summary) for fixtures/ and fixtures/terragoat-like."""
    out = tmp_path_factory.mktemp("browser")
    made = {}
    for name, target in (("fixtures", FIXTURES), ("terragoat", FIXTURES / "terragoat-like")):
        html_path, json_path = out / f"{name}.html", out / f"{name}.json"
        code = main(["scan", str(target), "-f", "html", "-o", str(html_path),
                     "--json-output", str(json_path)])
        assert code == 1
        made[name] = (html_path, json.loads(json_path.read_text())["summary"])
    return made


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--disable-background-networking", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, timeout=120, check=True, cwd=tmp,
        env={**os.environ, "HOME": str(tmp)},
    )


def dump_dom(tmp: Path, url: str, width: int = 1280) -> Element:
    done = chromium(tmp, f"--window-size={width},2000", "--dump-dom", url)
    root: Element = html5lib.parse(done.stdout.decode("utf-8"), namespaceHTMLElements=False)
    return root


def visible(root: Element, target: Element) -> bool:
    """No `hidden` on the element or any ancestor (an unopened <details> aside)."""
    parents = {child: parent for parent in root.iter() for child in parent}
    node: Element | None = target
    while node is not None:
        if "hidden" in node.attrib:
            return False
        node = parents.get(node)
    return True


def articles(root: Element) -> Iterator[Element]:
    return (a for a in root.iter("article") if "finding" in a.get("class", ""))


def text(el: Element) -> str:
    return "".join(el.itertext())


@pytest.mark.parametrize("name", ["fixtures", "terragoat"])
def test_screenshots(name: str, reports: dict[str, tuple[Path, dict[str, int]]],
                     tmp_path: Path) -> None:
    page, _ = reports[name]
    for width, height in ((1280, 2000), (320, 2000)):
        shot = tmp_path / f"{name}-{width}.png"
        chromium(tmp_path, f"--screenshot={shot}", f"--window-size={width},{height}",
                 page.as_uri())
        data = shot.read_bytes()
        assert data.startswith(PNG) and len(data) > 20_000, (shot, len(data))
        if os.environ.get("IACLINT_SCREENSHOT_DIR"):
            keep = Path(os.environ["IACLINT_SCREENSHOT_DIR"])
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, keep / shot.name)


@pytest.mark.parametrize("name", ["fixtures", "terragoat"])
def test_what_a_reader_sees(name: str, reports: dict[str, tuple[Path, dict[str, int]]],
                            tmp_path: Path) -> None:
    page, summary = reports[name]
    root = dump_dom(tmp_path, page.as_uri())
    counts = {td.get("data-count") or td.get("data-severity"): int(text(td))
              for td in root.iter("td") if td.get("data-count") or td.get("data-severity")}
    assert counts["findings"] == summary["findings"]
    assert counts["suppressed"] == summary["suppressed"]
    for sev, n in summary["by_severity"].items():  # type: ignore[attr-defined]
        assert counts[sev] == n, sev
    shown = next(o for o in root.iter("output") if o.get("id") == "shown-count")
    assert text(shown) == f"{summary['findings']} of {summary['findings']} findings shown"
    filters = next(s for s in root.iter("section") if s.get("id") == "filter-section")
    assert visible(root, filters)  # the script ran and showed the filters
    if name == "terragoat":
        db = next(a for a in articles(root) if "IAC012" in text(a))
        assert visible(root, db)
        marked = [text(m) for m in db.iter("mark")]
        assert any(re.fullmatch(r"\s*publicly_accessible\s+= true", m) for m in marked)
        chain = [text(c) for c in db.iter("code") if c.get("class") == "addr"]
        assert chain[:1] == ["aws_db_instance.farm"]
        for address in ("aws_subnet.app", "aws_route_table.app", "aws_route.app_internet",
                        "aws_internet_gateway.farm"):
            assert address in chain


@pytest.mark.parametrize("name", ["fixtures", "terragoat"])
def test_fragment_filters_severity(name: str, reports: dict[str, tuple[Path, dict[str, int]]],
                                   tmp_path: Path) -> None:
    page, summary = reports[name]
    root = dump_dom(tmp_path, page.as_uri() + "#severity=critical")
    found = list(articles(root))
    assert found
    for article in found:
        if article.get("data-severity") != "critical":
            assert "hidden" in article.attrib, article.get("id")
    assert any(visible(root, a) for a in found if a.get("data-severity") == "critical")
    shown = next(o for o in root.iter("output") if o.get("id") == "shown-count")
    critical = summary["by_severity"]["critical"]  # type: ignore[index]
    assert text(shown) == f"{critical} of {summary['findings']} findings shown"


@pytest.mark.parametrize("name", ["fixtures", "terragoat"])
def test_no_horizontal_scroll_at_320px(name: str,
                                      reports: dict[str, tuple[Path, dict[str, int]]],
                                      tmp_path: Path) -> None:
    """The page fits a 320 px wide viewport; long lines scroll inside their excerpt box.
    Headless windows are at least 500 px wide, so the report is measured in a 320 px
    iframe (file:// frames are readable with --allow-file-access-from-files)."""
    page, _ = reports[name]
    report = tmp_path / "report.html"
    shutil.copyfile(page, report)
    probe = tmp_path / "probe.html"
    probe.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>probe</title>'
        '</head><body><iframe id="f" src="report.html" width="320" height="2000"></iframe>'
        '<script>document.getElementById("f").addEventListener("load", function () {'
        "var d = this.contentDocument.documentElement;"
        'document.body.setAttribute("data-width", d.scrollWidth + " " + d.clientWidth);'
        "});</script></body></html>", encoding="utf-8")
    done = chromium(tmp_path, "--allow-file-access-from-files", "--window-size=800,2000",
                    "--dump-dom", probe.as_uri())
    root = html5lib.parse(done.stdout.decode("utf-8"), namespaceHTMLElements=False)
    scroll, client = map(int, next(root.iter("body")).get("data-width", "0 -1").split())
    assert 0 < client <= 320 and scroll <= client, (scroll, client)
