"""Messages say only what is known (issue 11 item 14)."""

from __future__ import annotations

from rules.encryption import EbsVolumeUnencrypted
from tests.test_rules_support import graph, node, run


def test_ebs_default_is_not_said_to_be_off_in_the_account() -> None:
    """The account's EBS encryption-by-default setting is invisible to a scan."""
    [f] = run(EbsVolumeUnencrypted, graph(node("aws_ebs_volume.a", "ec2.volume", 2)))
    assert "EBS encryption by default is not enabled in this code" in f.message
    assert "turned on" not in f.message
