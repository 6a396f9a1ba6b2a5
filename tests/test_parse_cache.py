"""The parse cache holds data only: nothing planted in it (or where Lark once looked
for its grammar) is executed, and nothing malformed is trusted (issue 12)."""

from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from linter.cli import main
from linter.loaders import terraform as tf
from linter.loaders import tf_cache
from linter.loaders.terraform import _load, load_terraform
from linter.model import ParseError
from tests.conftest import FIXTURES, OPEN_SSH_TF, REPO, SHARED


class _Payload:
    """A pickle that creates `marker` when it is loaded (what an attacker would plant)."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.marker, "w"))


def _malicious_pickle(marker: Path) -> bytes:
    return pickle.dumps(_Payload(marker))


def _same(a: Any, b: Any) -> bool:
    """Structural equality of AST nodes (the node types compare by identity)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if hasattr(a, "__dict__"):
        return _same(vars(a), vars(b))
    if "__slots__" in vars(type(a)):
        slots = [n for cls in type(a).__mro__ for n in getattr(cls, "__slots__", ())]
        return all(_same(getattr(a, n), getattr(b, n)) for n in slots)
    return bool(a == b) or (a != a and b != b)  # NaN literals


def _terraform_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and p.name.endswith((".tf", ".tf.json")))


@pytest.mark.parametrize("where", ["fixtures", "corpus"])
def test_every_tree_survives_the_round_trip(where: str) -> None:
    root = FIXTURES if where == "fixtures" else SHARED / "corpus" / "terraform"
    if not root.exists():
        pytest.skip(f"{root} is not available")
    files = _terraform_files(root)
    assert files
    for path in files:
        doc = _load(str(path), path.read_bytes())
        text = json.dumps(tf_cache.encode(doc), separators=(",", ":"), ensure_ascii=False)
        back = tf_cache.decode(json.loads(text), str(path))
        assert _same(doc, back), path


def _entry(directory: Path, path: str, data: bytes) -> Path:
    key = tf_cache._key(path, data)
    return directory / "tf-ast" / key[:2] / (key[2:] + tf_cache.SUFFIX)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(directory))
    monkeypatch.delenv("IACLINT_NO_CACHE", raising=False)
    tf._PARSE_CACHE.clear()
    return directory


def _scan_json(target: Path, capsys: pytest.CaptureFixture[str]) -> str:
    tf._PARSE_CACHE.clear()
    capsys.readouterr()
    code = main(["scan", str(target), "-f", "json"])
    out = capsys.readouterr().out
    assert code == 1
    return out


def test_entries_are_private_and_data_only(cache_dir: Path) -> None:
    data = OPEN_SSH_TF.encode()
    assert not isinstance(load_terraform("/a/main.tf", data), ParseError)
    entry = _entry(cache_dir, "/a/main.tf", data)
    assert stat.S_IMODE(os.stat(cache_dir / "tf-ast").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(entry.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(entry).st_mode) == 0o600
    header, _, body = entry.read_bytes().partition(b"\n")
    assert header.decode().startswith(tf_cache.SCHEMA + " ")
    json.loads(body)  # plain JSON


@pytest.mark.parametrize("planted", ["pickle", "garbage", "old-schema", "truncated", "wrong-types"])
def test_a_planted_entry_is_neither_run_nor_trusted(
    planted: str, cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "sg.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    cold = _scan_json(infra, capsys)
    entry = _entry(cache_dir, str(infra / "sg.tf"), OPEN_SSH_TF.encode())
    good = entry.read_bytes()
    header = good.partition(b"\n")[0] + b"\n"
    marker = tmp_path / "pwned"
    content = {
        "pickle": _malicious_pickle(marker),
        "garbage": os.urandom(4096),
        "old-schema": good.replace(tf_cache.SCHEMA.encode(), b"iaclint-tf-ast/1"),
        "truncated": good[: len(good) // 2],
        # right header, a body whose attribute lines are strings
        "wrong-types": header + json.dumps([40, "hcl", "terraform", [
            "", [], [], [["resource", ["aws_security_group", "ssh"], [], [], "7", 1]], 1, 9,
        ]]).encode(),
    }[planted]
    entry.write_bytes(content)
    assert _scan_json(infra, capsys) == cold
    assert not marker.exists()
    assert entry.read_bytes() == good  # the bad entry was rewritten


def test_a_directory_others_may_write_is_not_used(
    cache_dir: Path, tmp_path: Path
) -> None:
    directory = cache_dir / "tf-ast"
    directory.mkdir(parents=True)
    os.chmod(directory, 0o777)
    data = b'a = "x"\n'
    entry = _entry(cache_dir, "/a/x.tf", data)
    entry.parent.mkdir()
    marker = tmp_path / "pwned"
    entry.write_bytes(_malicious_pickle(marker))
    assert not isinstance(load_terraform("/a/x.tf", data), ParseError)
    assert not marker.exists()
    assert entry.read_bytes() == _malicious_pickle(marker)  # neither read nor rewritten
    assert tf_cache.private_directory() is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a directory to another user needs root")
def test_a_directory_of_another_user_is_not_used(cache_dir: Path) -> None:
    directory = cache_dir / "tf-ast"
    directory.mkdir(parents=True, mode=0o700)
    os.chown(directory, 65534, -1)
    assert tf_cache.private_directory() is None


def test_an_older_readable_directory_is_made_private(cache_dir: Path) -> None:
    directory = cache_dir / "tf-ast"
    directory.mkdir(parents=True)
    os.chmod(directory, 0o755)
    assert tf_cache.private_directory() == str(directory)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


def test_no_cache_writes_nothing(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IACLINT_NO_CACHE", "1")
    assert not isinstance(load_terraform("/a/x.tf", b"a = 1\n"), ParseError)
    assert not cache_dir.exists()


def test_prune_keeps_the_cache_under_its_cap(tmp_path: Path) -> None:
    directory = tmp_path / "tf-ast"
    (directory / "ab").mkdir(parents=True)
    for i in range(10):
        entry = directory / "ab" / f"{i}.json"
        entry.write_bytes(b"x" * 1000)
        when = time.time() - 1000 + i
        os.utime(entry, (when, when))
    legacy = directory / "ab" / "old.pickle"
    legacy.write_bytes(b"p")
    tf_cache.prune(str(directory), max_bytes=5000)
    left = sorted(p.name for p in (directory / "ab").iterdir())
    assert left == [f"{i}.json" for i in range(6, 10)]  # the newest, to 80% of the cap


def _lark_temp_name(tmpdir: Path) -> Path:
    """The file Lark reads for `cache=True` with the options iaclint once used."""
    import hcl2.parser as hcl2_parser
    import lark.lark
    from hcl2.postlexer import PostLexer

    class Found(BaseException):
        pass

    seen: list[str] = []

    def spy(name: str, mode: str = "r", **kwargs: Any) -> Any:
        seen.append(name)
        raise Found

    real_tempdir = lark.lark.tempfile.tempdir
    real_open = lark.lark.FS.open
    lark.lark.tempfile.tempdir = str(tmpdir)
    lark.lark.FS.open = spy
    try:
        lark.Lark.open("hcl2.lark", parser="lalr", rel_to=hcl2_parser.__file__,
                       propagate_positions=False, postlex=PostLexer(), cache=True)
    except Found:
        pass
    finally:
        lark.lark.tempfile.tempdir = real_tempdir
        lark.lark.FS.open = real_open
    assert seen and seen[0].startswith(str(tmpdir)), seen
    return Path(seen[0])


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "import sys; from linter.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("cache", ["off", "not-private", "private"])
def test_no_planted_grammar_cache_is_loaded(cache: str, tmp_path: Path) -> None:
    """Lark unpickles its cache file before checking it; iaclint never lets it read
    one: not from the shared temp directory, not from a cache directory others may
    write, and not as iaclint's own grammar file (which is JSON)."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    marker = tmp_path / "pwned"
    _lark_temp_name(tmpdir).write_bytes(b"0" * 64 + b"\n" + _malicious_pickle(marker))
    cache_dir = tmp_path / "cache"
    private = cache_dir / "tf-ast"
    private.mkdir(parents=True, mode=0o700)
    for name in ("hcl2-grammar.lark-cache", tf_cache.GRAMMAR_FILE):
        (private / name).write_bytes(_malicious_pickle(marker))
    if cache == "not-private":
        os.chmod(private, 0o777)
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "sg.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    # python-hcl2 parses (and its grammar is built or read) only for what
    # tree-sitter rejects: make it parse this file
    env = dict(os.environ, TMPDIR=str(tmpdir), IACLINT_CACHE_DIR=str(cache_dir),
               IACLINT_HCL_FRONTEND="lark")
    if cache == "off":
        env["IACLINT_NO_CACHE"] = "1"
    done = _cli(["scan", str(infra), "-f", "json"], env)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["findings"]
    assert not marker.exists()
    grammar = (private / tf_cache.GRAMMAR_FILE).read_bytes()
    if cache == "private":  # replaced by the real grammar, as data
        assert grammar.startswith(tf_cache.GRAMMAR_SCHEMA.encode())
    else:
        assert grammar == _malicious_pickle(marker)


def test_the_grammar_round_trips_as_tagged_json() -> None:
    value = {"a": (1, [2, None]), 3: {"b": True}, "l": ["l", "t"]}
    assert tf_cache.untag(json.loads(json.dumps(tf_cache.tag(value)))) == value
    with pytest.raises(ValueError):
        tf_cache.untag(["x", 1])


def test_writing_keeps_the_cache_bounded(cache_dir: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    """A process prunes when it first writes (no stamp yet, or one older than an hour)
    and again after every PRUNE_EVERY_BYTES it writes."""
    monkeypatch.setattr(tf_cache, "MAX_BYTES", 20_000)
    monkeypatch.setattr(tf_cache, "PRUNE_EVERY_BYTES", 5_000)
    monkeypatch.setattr(tf_cache, "_written", 0)
    monkeypatch.setattr(tf_cache, "_next_prune", 0)
    for i in range(200):
        data = f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "{"x" * 200}"\n}}\n'.encode()
        load_terraform(f"/a/{i}.tf", data)
    entries = list((cache_dir / "tf-ast").rglob("*" + tf_cache.SUFFIX))
    assert sum(p.stat().st_size for p in entries) <= 20_000 + 5_000 + 1_000
    assert (cache_dir / "tf-ast" / tf_cache.PRUNE_STAMP).exists()


def test_prune_removes_what_a_killed_writer_left(tmp_path: Path) -> None:
    directory = tmp_path / "tf-ast"
    (directory / "ab").mkdir(parents=True)
    old, fresh = directory / "ab" / "x.tmp", directory / "ab" / "y.tmp"
    old.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    tf_cache.prune(str(directory))
    assert not old.exists() and fresh.exists()


def test_an_oversized_entry_is_not_read(cache_dir: Path) -> None:
    data = b'a = "x"\n'
    load_terraform("/a/x.tf", data)
    entry = _entry(cache_dir, "/a/x.tf", data)
    good = entry.read_bytes()
    header = good.partition(b"\n")[0] + b"\n"
    padding = b" " * (len(data) * tf_cache.MAX_GROWTH + 65536)  # valid JSON, too big
    entry.write_bytes(header + padding + good[len(header):])
    tf._PARSE_CACHE.clear()
    assert tf_cache.get("/a/x.tf", data) is None
