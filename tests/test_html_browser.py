"""The HTML report as a person sees it: headless Chromium (no Playwright, no network)
renders it, `--dump-dom` gives the DOM after the page's script ran, `--screenshot`
what it looks like at 1280 and 320 px, and tests/cdp.py drives it over the DevTools
protocol with keys, clicks and typing. Skipped only where chromium is not installed.

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

from .cdp import Browser
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


def _visible_severities(browser: Browser) -> list[str]:
    """Severity of each active finding a person can see (laid out: not hidden)."""
    found: list[str] = browser.js(
        "Array.from(document.querySelectorAll('article.finding[data-state=active]'))"
        ".filter(function (a) { return a.getClientRects().length > 0; })"
        ".map(function (a) { return a.getAttribute('data-severity'); })")
    return found


def test_a_person_filters_with_keyboard_mouse_and_search(
    reports: dict[str, tuple[Path, dict[str, int]]], tmp_path: Path,
) -> None:
    """Driven over the DevTools protocol (tests/cdp.py) with real key, mouse and text
    input: Tab reaches every filter control with a visible focus ring, Space toggles
    a severity, clicks leave only critical, typing searches, "Show all" resets."""
    assert CHROMIUM is not None
    page, summary = reports["terragoat"]
    total = summary["findings"]
    critical = summary["by_severity"]["critical"]  # type: ignore[index]
    with Browser(CHROMIUM, tmp_path / "cdp-profile") as browser:
        browser.open(page.as_uri())
        assert browser.js("document.getElementById('shown-count').textContent") == (
            f"{total} of {total} findings shown")
        reached: dict[str, str] = {}
        for _ in range(80):  # the links of the contents first, then the filters
            browser.key("Tab", "Tab", 9)
            name, outline = browser.js(
                "(function () { var e = document.activeElement;"
                " return [e.name || e.id || e.tagName,"
                " getComputedStyle(e).outlineStyle]; }())")
            reached.setdefault(name, outline)
            if name == "severity" and browser.js("document.activeElement.value") == "low":
                break
        assert "severity" in reached, reached
        assert reached["severity"] != "none"  # the focus can be seen
        browser.key(" ", "Space", 32, " ")  # Space on the focused "low" box
        assert browser.js("document.querySelector('input[value=low]').checked") is False
        for severity in ("high", "medium"):
            browser.click(f"input[name=severity][value={severity}]")
        assert browser.js("document.getElementById('shown-count').textContent") == (
            f"{critical} of {total} findings shown")
        assert _visible_severities(browser) == ["critical"] * critical
        shot = tmp_path / "terragoat-critical.png"
        browser.screenshot(shot)
        assert shot.read_bytes().startswith(PNG)
        browser.click("button[type=reset]")  # the form resets, then the filter runs
        browser.wait_for("document.getElementById('shown-count').textContent === "
                         f"'{total} of {total} findings shown'")
        assert len(_visible_severities(browser)) == total
        browser.click("#filter-text")
        browser.type("bucket")
        shown = browser.js(
            "Array.from(document.querySelectorAll('article.finding[data-state=active]'))"
            ".filter(function (a) { return a.getClientRects().length > 0; })"
            ".map(function (a) { return a.textContent.toLowerCase().indexOf('bucket') >= 0; })")
        assert shown and all(shown) and len(shown) < total
    if os.environ.get("IACLINT_SCREENSHOT_DIR"):
        shutil.copyfile(shot, Path(os.environ["IACLINT_SCREENSHOT_DIR"]) / shot.name)
