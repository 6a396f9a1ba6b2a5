"""encryption rules over hand-built graphs."""

from __future__ import annotations

from linter.facts import BlockDevice, Encryption
from linter.model import UNKNOWN, Severity
from rules.encryption import (
    BlockDeviceUnencrypted,
    DynamoDbEncryptionDisabled,
    EbsVolumeUnencrypted,
    RdsStorageUnencrypted,
    S3BucketEncryption,
)
from tests.test_rules_support import graph, loc, node, ref, run


def test_ebs_volume_and_account_default() -> None:
    unset = node("aws_ebs_volume.a", "ec2.volume", 2)
    off = node("aws_ebs_volume.b", "ec2.volume", facts={"encrypted": False},
               fact_lines={"encrypted": 14})
    on = node("aws_ebs_volume.c", "ec2.volume", facts={"encrypted": True})
    unknown = node("aws_ebs_volume.d", "ec2.volume", facts={"encrypted": UNKNOWN})
    found = run(EbsVolumeUnencrypted, graph(unset, off, on, unknown))
    assert [(f.address, f.location.start_line) for f in found] == [
        ("aws_ebs_volume.a", 2), ("aws_ebs_volume.b", 14)]
    default = node("aws_ebs_encryption_by_default.x", "ec2.ebs_encryption_by_default",
                   facts={"enabled": True})
    found = run(EbsVolumeUnencrypted, graph(unset, off, on, default))
    assert [f.address for f in found] == ["aws_ebs_volume.b"]


def test_block_devices() -> None:
    inst = node("aws_instance.x", "ec2.instance", facts={"block_devices": [
        BlockDevice("root_block_device", None, loc(5)),
        BlockDevice("/dev/sdf", True, loc(9)),
        BlockDevice("/dev/sdg", False, loc(12)),
    ]})
    found = run(BlockDeviceUnencrypted, graph(inst))
    assert [f.location.start_line for f in found] == [5, 12]
    assert "block device root_block_device of aws_instance.x" in found[0].message


def test_undeclared_root_volume() -> None:
    inst = node("aws_instance.x", "ec2.instance", 3, facts={"block_devices": [
        BlockDevice("root", None, loc(3), declared=False)]})
    found = run(BlockDeviceUnencrypted, graph(inst))
    assert [f.location.start_line for f in found] == [3]
    assert "root volume encryption is not requested" in found[0].message
    assert "unless the AMI is encrypted" in found[0].message
    default = node("aws_ebs_encryption_by_default.x", "ec2.ebs_encryption_by_default",
                   facts={"enabled": True})
    assert run(BlockDeviceUnencrypted, graph(inst, default)) == []


def test_s3_bucket_medium_and_high() -> None:
    none = node("aws_s3_bucket.a", "s3.bucket")
    kms = node("aws_s3_bucket.b", "s3.bucket", facts={"encryption": Encryption("aws:kms", loc(3))})
    empty = node("aws_s3_bucket.c", "s3.bucket", facts={"encryption": Encryption(None, loc(7))})
    unknown = node("aws_s3_bucket.d", "s3.bucket", facts={
        "encryption": Encryption(UNKNOWN, loc(8))})
    found = run(S3BucketEncryption, graph(none, kms, empty, unknown))
    assert [(f.address, f.severity) for f in found] == [
        ("aws_s3_bucket.a", Severity.MEDIUM), ("aws_s3_bucket.c", Severity.HIGH)]
    assert "since 2023" in found[0].message


def test_rds_members_use_cluster() -> None:
    cluster = node("aws_rds_cluster.c", "rds.cluster", facts={"storage_encrypted": False})
    member = node("aws_rds_cluster_instance.m", "rds.instance", facts={"cluster": ref(cluster)})
    inst = node("aws_db_instance.i", "rds.instance", facts={"storage_encrypted": True})
    found = run(RdsStorageUnencrypted, graph(cluster, member, inst))
    assert [f.address for f in found] == ["aws_rds_cluster.c"]
    assert "explicitly disabled" in found[0].message


def test_rds_serverless_v1_is_always_encrypted() -> None:
    v1 = node("aws_rds_cluster.v1", "rds.cluster", facts={"engine_mode": "serverless"})
    v2 = node("aws_rds_cluster.v2", "rds.cluster", facts={"engine_mode": "provisioned"})
    # an engine mode that is not known may be serverless: only an explicit false counts
    maybe = node("aws_rds_cluster.m", "rds.cluster", facts={"engine_mode": UNKNOWN})
    maybe_off = node("aws_rds_cluster.o", "rds.cluster", facts={
        "engine_mode": UNKNOWN, "storage_encrypted": False})
    found = run(RdsStorageUnencrypted, graph(v1, v2, maybe, maybe_off))
    assert [f.address for f in found] == ["aws_rds_cluster.v2", "aws_rds_cluster.o"]


def test_dynamodb_only_explicit() -> None:
    unset = node("aws_dynamodb_table.a", "dynamodb.table")
    off = node("aws_dynamodb_table.b", "dynamodb.table", facts={"sse_enabled": False})
    assert [f.address for f in run(DynamoDbEncryptionDisabled, graph(unset, off))] == [
        "aws_dynamodb_table.b"]


def test_undecided_condition_names_the_insecure_branch() -> None:
    from linter.model import Choice

    choice = Choice([("when condition IsProd is true", True),
                     ("when condition IsProd is false", False)])
    db = node("Database", "rds.instance", facts={"storage_encrypted": choice})
    [f] = run(RdsStorageUnencrypted, graph(db))
    assert f.message.endswith("explicitly disabled (when condition IsProd is false)")
    safe = Choice([("when condition A is true", True), ("when condition A is false", UNKNOWN)])
    assert run(RdsStorageUnencrypted, graph(node("Db2", "rds.instance",
                                                 facts={"storage_encrypted": safe}))) == []


def test_block_device_branch_label() -> None:
    inst = node("App", "ec2.instance", facts={"block_devices": [
        BlockDevice("/dev/xvda", False, loc(5), when="when condition Big is true")]})
    [f] = run(BlockDeviceUnencrypted, graph(inst))
    assert f.message.endswith("(when condition Big is true)")
