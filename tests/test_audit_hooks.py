"""A plain `iaclint scan` connects nowhere, runs no program and unpickles nothing:
it runs under a `sys.addaudithook` hook that refuses those events (issue 12).

`--new-since` legitimately runs git, so only a plain scan is covered. `os.fork` is
allowed: a cold scan of many files parses part of them in a forked copy of itself
(tf_prefetch), which inherits the hook, and whose every refused event is written to
stderr at once, so the child is held to the same rules. The import system's own
`marshal.loads` of `.pyc` files is allowed; any other is not.
Event names: https://docs.python.org/3/library/audit_events.html
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, SHARED

FORBIDDEN = (
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto",
    "subprocess.Popen", "os.exec", "os.forkpty", "os.posix_spawn", "os.spawn",
    "os.system", "os.startfile", "pty.spawn",
    "pickle.find_class", "marshal.load", "marshal.loads",
)

CHILD = textwrap.dedent("""
    import json, sys

    FORBIDDEN = set(%r)
    seen = []

    def hook(event, args):
        if event not in FORBIDDEN:
            return
        if event == "marshal.loads":
            caller = sys._getframe(1).f_code
            if (caller.co_filename == "<frozen importlib._bootstrap_external>"
                    and caller.co_name == "_compile_bytecode"):
                return  # the import system reading a .pyc
        seen.append([event, repr(args)[:200]])
        sys.stderr.write("AUDIT-EVENT " + json.dumps(seen[-1]) + "\\n")
        sys.stderr.flush()
        raise RuntimeError("audit: " + event + " is not allowed in a scan")

    sys.addaudithook(hook)
    from linter.cli import main

    code = main(sys.argv[1:])
    sys.stderr.write("AUDIT " + json.dumps(seen) + "\\n")
    sys.exit(code)
""") % (FORBIDDEN,)


def _scan_audited(paths: list[Path], tmp_path: Path) -> tuple[int, list[list[str]], str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "scan", *map(str, paths), "-f", "json",
         "-o", str(tmp_path / "report.json")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1200, check=False)
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("AUDIT ")]
    assert lines, done.stderr[-3000:]
    anywhere = [json.loads(ln[len("AUDIT-EVENT "):]) for ln in done.stderr.splitlines()
                if ln.startswith("AUDIT-EVENT ")]  # the forked parse child's too
    return done.returncode, [*json.loads(lines[-1][len("AUDIT "):]), *anywhere], done.stderr


def test_hook_sees_a_forbidden_event(tmp_path: Path) -> None:
    """The hook works: a pickle with a global in it is refused and reported."""
    import pickle

    payload = pickle.dumps(Path("x"))
    script = CHILD.replace("from linter.cli import main",
                           f"import pickle\ntry:\n    pickle.loads({payload!r})\n"
                           "except RuntimeError:\n    pass\nmain = lambda argv: 0")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert '"pickle.find_class"' in done.stderr


@pytest.mark.parametrize("where", ["fixtures", "corpus"])
def test_a_scan_runs_nothing_and_connects_nowhere(where: str, tmp_path: Path) -> None:
    if where == "fixtures":
        paths = [FIXTURES]
    else:
        corpus = SHARED / "corpus"
        if not corpus.exists():
            pytest.skip(f"{corpus} (the shared corpus) is not available in this clone")
        paths = sorted(p for p in corpus.iterdir() if p.is_dir())
    code, seen, stderr = _scan_audited(paths, tmp_path)
    assert seen == [], seen
    assert code in (0, 1), stderr[-3000:]
    assert json.loads((tmp_path / "report.json").read_text("utf-8"))["summary"]
