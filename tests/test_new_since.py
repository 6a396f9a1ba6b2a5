"""`--new-since REF`, `--staged` and `--changed-lines-only` on real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import FIXTURES
from .gitrepo import (
    BROKEN_TF,
    CLEAN_SG,
    LEGACY_SG,
    MODULE_SG,
    NEW_SG,
    Repo,
    module_repo,
)


def _findings(proc_stdout: str) -> list[tuple[str, int, str, str]]:
    report = json.loads(proc_stdout)
    return [(f["file"], f["start_line"], f["rule_id"], f["address"]) for f in report["findings"]]


def test_full_scan_sees_the_old_finding(tmp_path: Path) -> None:
    repo = module_repo(tmp_path / "r")
    proc = repo.iaclint("scan", ".", "-f", "json")
    assert proc.returncode == 1
    assert _findings(proc.stdout) == [("legacy.tf", 7, "IAC001", "aws_security_group.legacy")]


def test_module_input_change_is_reported_where_it_lands(tmp_path: Path) -> None:
    repo = module_repo(tmp_path / "r")
    repo.write("main.tf", (repo.path / "main.tf").read_text().replace("10.0.0.0/8", "0.0.0.0/0"))
    repo.git("add", "main.tf")
    proc = repo.iaclint("scan", "--staged", "--new-since", "HEAD", "main.tf", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    assert _findings(proc.stdout) == [
        ("modules/sg/main.tf", 7, "IAC001", "module.sg.aws_security_group.this")]
    report = json.loads(proc.stdout)
    assert report["new_since"]["ref"] == "HEAD"
    assert report["new_since"]["hidden"] == 1  # legacy.tf: present at HEAD
    # Without the comparison, the named file alone is clean: the old behaviour.
    assert repo.iaclint("scan", "main.tf").returncode == 0


def test_variable_default_change_is_reported(tmp_path: Path) -> None:
    repo = module_repo(tmp_path / "r", pass_cidr=False)
    variables = repo.path / "modules/sg/variables.tf"
    repo.write("modules/sg/variables.tf", variables.read_text().replace("10.0.0.0/8", "0.0.0.0/0"))
    repo.git("add", "-A")
    proc = repo.iaclint("scan", "--staged", "--new-since", "HEAD", "modules/sg/variables.tf",
                        "-f", "json")
    assert proc.returncode == 1, proc.stderr
    assert _findings(proc.stdout) == [
        ("modules/sg/main.tf", 7, "IAC001", "module.sg.aws_security_group.this")]


def test_old_finding_in_an_untouched_file_is_not_reported(tmp_path: Path) -> None:
    repo = module_repo(tmp_path / "r")
    repo.write("internal.tf", CLEAN_SG)
    repo.git("add", "internal.tf")
    proc = repo.iaclint("scan", "--staged", "--new-since", "HEAD", "internal.tf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 already at HEAD not shown" in proc.stdout
    assert "legacy.tf" not in proc.stdout


def test_new_finding_in_the_staged_file_is_reported(tmp_path: Path) -> None:
    repo = module_repo(tmp_path / "r")
    repo.write("web.tf", NEW_SG)
    repo.git("add", "web.tf")
    proc = repo.iaclint("scan", "--staged", "--new-since", "HEAD", "web.tf", "-f", "json")
    assert proc.returncode == 1
    assert _findings(proc.stdout) == [("web.tf", 7, "IAC001", "aws_security_group.web")]


def test_broken_untracked_file_does_not_block_the_staged_scan(tmp_path: Path) -> None:
    repo = module_repo(tmp_path / "r")
    repo.write("internal.tf", CLEAN_SG)
    repo.git("add", "internal.tf")
    repo.write("scratch.tf", BROKEN_TF)  # untracked, next to the staged file
    proc = repo.iaclint("scan", "--staged", "--new-since", "HEAD", "internal.tf")
    assert proc.returncode == 0, proc.stdout
    assert "scratch.tf" not in proc.stdout
    # The working tree does have it: a plain scan reports it, as it should.
    plain = repo.iaclint("scan", "internal.tf")
    assert plain.returncode == 1 and "scratch.tf" in plain.stdout and "IAC000" in plain.stdout


def test_unstaged_edit_is_not_scanned_with_staged(tmp_path: Path) -> None:
    repo = module_repo(tmp_path / "r")
    repo.write("web.tf", NEW_SG)
    repo.git("add", "web.tf")
    repo.write("web.tf", CLEAN_SG)  # fixed in the work tree, but not staged
    staged = repo.iaclint("scan", "--staged", "--new-since", "HEAD", "web.tf")
    assert staged.returncode == 1 and "aws_security_group.web" in staged.stdout
    # The excerpt shows the staged text, not the working tree's.
    assert "0.0.0.0/0" in staged.stdout
    work = repo.iaclint("scan", "--new-since", "HEAD", "web.tf")
    assert work.returncode == 0, work.stdout


def test_pull_request_scan_of_the_work_tree(tmp_path: Path) -> None:
    """`iaclint scan . --new-since main` on a branch: only what the branch adds."""
    repo = module_repo(tmp_path / "r")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("web.tf", NEW_SG)
    # Moving the old resource to another line and rewording nothing: not new.
    repo.write("legacy.tf", "# moved down\n\n" + LEGACY_SG)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "feature", "--no-verify")
    proc = repo.iaclint("scan", ".", "--new-since", "main", "-f", "json")
    assert proc.returncode == 1
    assert _findings(proc.stdout) == [("web.tf", 7, "IAC001", "aws_security_group.web")]
    assert json.loads(proc.stdout)["new_since"]["hidden"] == 1
    # A parse error in a changed file is always new; in an untouched one it is not.
    repo.write("modules/sg/main.tf", MODULE_SG + "\n" + BROKEN_TF)
    broken = repo.iaclint("scan", ".", "--new-since", "main")
    assert broken.returncode == 1 and "IAC000" in broken.stdout


def test_changed_lines_only(tmp_path: Path) -> None:
    repo = module_repo(tmp_path / "r")
    # The module input changes in main.tf, but the finding's line is in the module.
    repo.write("main.tf", (repo.path / "main.tf").read_text().replace("10.0.0.0/8", "0.0.0.0/0"))
    # An old finding on a line this change touches (a comment appended).
    repo.write("legacy.tf", LEGACY_SG.replace('["0.0.0.0/0"]', '["0.0.0.0/0"] # still open'))
    repo.write("web.tf", NEW_SG)  # untracked: every line is new
    proc = repo.iaclint("scan", ".", "--new-since", "HEAD", "--changed-lines-only", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    # The module finding's own line did not change, but the module call that feeds it
    # (its "via" location in main.tf) did: the change is what opened it.
    assert _findings(proc.stdout) == [
        ("legacy.tf", 7, "IAC001", "aws_security_group.legacy"),
        ("modules/sg/main.tf", 7, "IAC001", "module.sg.aws_security_group.this"),
        ("web.tf", 7, "IAC001", "aws_security_group.web"),
    ]
    report = json.loads(proc.stdout)
    assert report["new_since"]["changed_lines_only"] is True
    assert report["new_since"]["hidden"] == 0
    # Untouched module call: the module finding is hidden again.
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "open", "--no-verify")
    repo.write("web.tf", NEW_SG + "\n# touched\n")
    again = repo.iaclint("scan", ".", "--new-since", "HEAD", "--changed-lines-only", "-f", "json")
    assert _findings(again.stdout) == []
    assert json.loads(again.stdout)["new_since"]["hidden"] == 3


def test_unborn_head_makes_everything_new(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "r")
    repo.write("web.tf", NEW_SG)
    repo.git("add", "web.tf")
    proc = repo.iaclint("scan", "--staged", "--new-since", "HEAD", "web.tf", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["new_since"]["commit"] is None
    assert _findings(proc.stdout) == [("web.tf", 7, "IAC001", "aws_security_group.web")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--new-since", "no-such-branch", "."), "unknown git revision 'no-such-branch'"),
        (("--changed-lines-only", "."), "--changed-lines-only needs --new-since"),
    ],
)
def test_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    repo = module_repo(tmp_path / "r")
    proc = repo.iaclint("scan", *args)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_outside_a_git_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "web.tf").write_text(NEW_SG, encoding="utf-8")
    repo = Repo(tmp_path / "r")  # only for its clean environment
    proc = repo.iaclint("scan", str(plain), "--new-since", "HEAD")
    assert proc.returncode == 2
    assert "not inside a git work tree" in proc.stderr


def test_work_tree_and_index_are_untouched(tmp_path: Path) -> None:
    repo = module_repo(tmp_path / "r")
    repo.write("web.tf", NEW_SG)
    repo.git("add", "web.tf")
    repo.write("web.tf", CLEAN_SG)
    before = (repo.git("status", "--porcelain").stdout, repo.git("diff", "--cached").stdout,
              repo.git("stash", "list").stdout)
    repo.iaclint("scan", "--staged", "--new-since", "HEAD", ".")
    after = (repo.git("status", "--porcelain").stdout, repo.git("diff", "--cached").stdout,
             repo.git("stash", "list").stdout)
    assert before == after
    assert (repo.path / "web.tf").read_text() == CLEAN_SG


def test_deleted_variables_file_changes_its_module(tmp_path: Path) -> None:
    """Deleting terraform.tfvars (safe value) falls back to an open default: the
    deleted file's module is scanned even though only another file is named."""
    repo = Repo(tmp_path / "r")
    repo.write("app/main.tf", 'variable "cidr" {\n  default = "0.0.0.0/0"\n}\n\n'
               + MODULE_SG)
    repo.write("app/terraform.tfvars", 'cidr = "10.0.0.0/8"\n')
    repo.write("other/internal.tf", CLEAN_SG)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "base")
    repo.git("rm", "-q", "app/terraform.tfvars")
    repo.write("other/internal.tf", CLEAN_SG + "\n# reviewed\n")
    repo.git("add", "other/internal.tf")
    proc = repo.iaclint("scan", "--staged", "--new-since", "HEAD", "other/internal.tf",
                        "-f", "json")
    assert proc.returncode == 1, proc.stderr
    assert _findings(proc.stdout) == [("app/main.tf", 11, "IAC001", "aws_security_group.this")]


def test_changed_lines_only_follows_the_path_behind_a_finding(tmp_path: Path) -> None:
    """A database made public by a changed route table association: the finding's own
    lines did not change, the association on its path did."""
    bad = FIXTURES / "rules" / "IAC011" / "terraform" / "bad"
    repo = Repo(tmp_path / "r")
    main = (bad / "main.tf").read_text(encoding="utf-8")
    repo.write("main.tf", main.replace("aws_subnet.public.id, aws_subnet.private_b.id",
                                       "aws_subnet.private.id, aws_subnet.private_b.id"))
    network = (bad / "network.tf").read_text(encoding="utf-8")
    repo.write("network.tf", network)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "base")
    private = ('resource "aws_route_table_association" "private" {\n'
               "  subnet_id      = aws_subnet.private.id\n"
               "  route_table_id = aws_route_table.private.id\n")
    assert private in network
    repo.write("network.tf", network.replace(
        private, private.replace("aws_route_table.private.id", "aws_route_table.public.id")))
    proc = repo.iaclint("scan", ".", "--new-since", "HEAD", "--changed-lines-only",
                        "--enable", "IAC011", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert _findings(proc.stdout) == [("main.tf", 12, "IAC011", "aws_db_instance.db")]
    (finding,) = report["findings"]
    assert any(r["file"] == "network.tf" for r in finding["related"])
    assert report["new_since"]["hidden"] == 1  # the cache: public before, path unchanged
