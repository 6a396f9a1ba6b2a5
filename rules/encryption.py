"""encryption: data at rest that is not encrypted.

"Not written" counts as unencrypted only where AWS's default is unencrypted;
S3 is the exception (SSE-S3 by default since January 2023), so an S3 bucket
without an explicit configuration is medium rather than high.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from linter.facts import BlockDevice, Encryption, Statement
from linter.limits import quoted, shorten
from linter.model import Finding, Node, Related, Severity, is_known
from rules._base import BuiltinRule, failing, not_true, when
from rules.iam_wildcard import grants, policy_related

if TYPE_CHECKING:
    from linter.config import Config
    from linter.model import Graph

_S3_ALGORITHMS = {"aes256", "aws:kms", "aws:kms:dsse"}


def _state(value: Any) -> tuple[str, str] | None:
    """("false"|"unset", branch label) or None (encrypted or unknown: nothing to report)."""
    found = failing(value, not_true)
    if found is None:
        return None
    label, candidate = found
    return ("false" if candidate is False else "unset"), label


def account_default_encryption(graph: Graph) -> Node | None:
    """The node that turns on EBS encryption by default for the account, if any."""
    for node in graph.of_kind("ec2.ebs_encryption_by_default"):
        enabled = node.fact("enabled")
        if enabled is True:
            return node
    return None


def _ebs_problem(encrypted: Any, default: Node | None) -> str | None:
    found = _state(encrypted)
    if found is None:
        return None
    state, label = found
    if state == "false":
        return "encryption is explicitly disabled" + when(label)
    if default is None:
        return (
            "encryption is not enabled (and EBS encryption by default is not enabled in this code)"
            + when(label)
        )
    return None


class EbsVolumeUnencrypted(BuiltinRule):
    id = "IAC030"
    title = "EBS volume is not encrypted"
    category = "encryption"
    severity = Severity.HIGH
    description = (
        "An unencrypted EBS volume, and every snapshot taken from it, stores its data in "
        "clear on AWS storage and can be shared or copied without a key policy standing in "
        "the way. Encryption is free of charge and transparent to the instance."
    )
    remediation = {
        "terraform": (
            "Set `encrypted = true` (optionally `kms_key_id`), or enable "
            "`aws_ebs_encryption_by_default { enabled = true }` for the account."
        ),
        "cloudformation": "Set `Encrypted: true` (optionally `KmsKeyId`) on the volume.",
    }
    links = (
        "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-3",
    )
    tags = ("encryption", "ebs", "storage")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        default = account_default_encryption(graph)
        for node in graph.of_kind("ec2.volume"):
            problem = _ebs_problem(node.fact("encrypted"), default)
            if problem:
                yield self.finding(
                    node, f"EBS volume {node.address}: {problem}", node.fact_loc("encrypted"),
                    evidence="encrypted",
                )


class BlockDeviceUnencrypted(BuiltinRule):
    id = "IAC031"
    title = "Instance or launch template block device is not encrypted"
    category = "encryption"
    severity = Severity.HIGH
    description = (
        "Root and data volumes declared in an instance, launch template or launch "
        "configuration are created unencrypted unless the mapping asks for encryption or the "
        "account enables EBS encryption by default. Every instance the template launches "
        "then writes its data, and its snapshots, in clear. A root volume no mapping "
        "declares follows the AMI, and public AMIs have unencrypted snapshots: it is "
        "reported too, unless `aws_ebs_encryption_by_default` in the scan turns encryption "
        "on. A launch template counts only when it names the AMI (`image_id`/`ImageId`): "
        "without one, the service that uses it (an EKS node group, AWS Batch) picks the "
        "image and its volumes; an instance launched from a template leaves its root "
        "volume to the template."
    )
    remediation = {
        "terraform": (
            "Set `encrypted = true` in `root_block_device`/`ebs_block_device` "
            "(`block_device_mappings { ebs { encrypted = true } }` in launch templates), or "
            "enable `aws_ebs_encryption_by_default`."
        ),
        "cloudformation": "Set `Ebs.Encrypted: true` in every `BlockDeviceMappings` entry.",
    }
    links = (
        "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
        "https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html",
    )
    tags = ("encryption", "ebs", "ec2")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        default = account_default_encryption(graph)
        for node in graph.of_kind(
            "ec2.instance", "ec2.launch_template", "ec2.launch_configuration"
        ):
            devices = node.fact("block_devices")
            if not isinstance(devices, (list, tuple)):
                continue
            for device in devices:
                if not isinstance(device, BlockDevice):
                    continue
                if not device.declared:
                    if default is None:
                        yield self.finding(
                            node,
                            f"{node.address} declares no root volume: root volume encryption "
                            "is not requested; it is unencrypted unless the AMI is encrypted "
                            "or the account enables EBS encryption by default",
                            device.location, evidence=f"block device {device.name}",
                        )
                    continue
                problem = _ebs_problem(device.encrypted, default)
                if problem and device.when:
                    problem += f" ({device.when})"
                if problem:
                    yield self.finding(
                        node, f"block device {device.name} of {node.address}: {problem}",
                        device.location,
                        evidence=f"block device {device.name}"
                        + (f" [{device.when}]" if device.when else ""),
                    )


class S3BucketEncryption(BuiltinRule):
    id = "IAC032"
    title = "S3 bucket has no explicit server-side encryption configuration"
    category = "encryption"
    severity = Severity.MEDIUM
    description = (
        "Since January 2023 AWS encrypts new objects with SSE-S3 when a bucket has no "
        "configuration, but an explicit configuration documents the intent, lets you choose "
        "SSE-KMS with an auditable key, and is what compliance checks look for. A "
        "configuration that names no algorithm (or an unknown one) is worse: it is high."
    )
    remediation = {
        "terraform": (
            "Add `aws_s3_bucket_server_side_encryption_configuration` with "
            "`apply_server_side_encryption_by_default { sse_algorithm = \"aws:kms\" }` "
            "(or \"AES256\")."
        ),
        "cloudformation": (
            "Add `BucketEncryption.ServerSideEncryptionConfiguration` with "
            "`ServerSideEncryptionByDefault.SSEAlgorithm: aws:kms` (or AES256)."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html",
    )
    tags = ("encryption", "s3", "storage")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("s3.bucket"):
            enc = node.fact("encryption")
            if enc is None:
                yield self.finding(
                    node,
                    f"S3 bucket {node.address} has no server-side encryption configuration; "
                    "AWS applies SSE-S3 by default since 2023, but set it explicitly "
                    "(preferably SSE-KMS)",
                    evidence="encryption missing",
                )
                continue
            if not isinstance(enc, Encryption):
                continue
            # A separate configuration resource (linked to the bucket) is where to fix it.
            config_node = graph.resolve(node.fact("encryption_from"))
            related = [
                Related.of(config_node, "encryption configuration"),
                Related.of(node, "bucket"),
            ] if config_node is not None else []
            algorithm = enc.algorithm
            if algorithm is None:
                yield self.finding(
                    node,
                    f"S3 bucket {node.address} has an encryption configuration that sets no "
                    "algorithm",
                    enc.location,
                    Severity.HIGH,
                    evidence="encryption algorithm",
                    related=related,
                )
            elif isinstance(algorithm, str) and algorithm.strip().lower() not in _S3_ALGORITHMS:
                yield self.finding(
                    node,
                    f"S3 bucket {node.address} sets encryption algorithm {quoted(algorithm)}, "
                    "which does not encrypt (use AES256 or aws:kms)",
                    enc.location,
                    Severity.HIGH,
                    evidence="encryption algorithm",
                    related=related,
                )


class _StorageEncryptionRule(BuiltinRule):
    """Shared shape: a boolean encryption fact whose AWS default is false."""

    kinds: tuple[str, ...] = ()
    fact_name: str = "storage_encrypted"
    noun: str = ""
    only_explicit: bool = False

    def skip(self, node: Node) -> bool:
        return False

    def explicit_only(self, node: Node) -> bool:
        """Report only an explicit false (not writing it may still mean encrypted)."""
        return self.only_explicit

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind(*self.kinds):
            if self.skip(node):
                continue
            found = _state(node.fact(self.fact_name))
            if found is None or (self.explicit_only(node) and found[0] != "false"):
                continue
            text = "is explicitly disabled" if found[0] == "false" else "is not enabled"
            yield self.finding(
                node,
                f"{self.noun} {node.address}: encryption at rest {text}{when(found[1])}",
                node.fact_loc(self.fact_name),
                evidence=self.fact_name + (f" [{found[1]}]" if found[1] else ""),
            )


class RdsStorageUnencrypted(_StorageEncryptionRule):
    id = "IAC033"
    title = "RDS, Aurora, DocumentDB or Neptune storage is not encrypted"
    category = "encryption"
    severity = Severity.HIGH
    description = (
        "Database storage, its automated backups, snapshots and read replicas are encrypted "
        "only when the instance or cluster is created encrypted; it cannot be turned on "
        "later without a snapshot-copy-restore migration. Unencrypted snapshots can be "
        "shared and restored without any key permission. Aurora Serverless v1 clusters "
        "(engine mode `serverless`) are always encrypted and are not reported; with an "
        "engine mode that is not known, only an explicit `false` is."
    )
    remediation = {
        "terraform": (
            "Set `storage_encrypted = true` (optionally `kms_key_id`) on `aws_db_instance` "
            "or `aws_rds_cluster` (Aurora members inherit it from the cluster)."
        ),
        "cloudformation": "Set `StorageEncrypted: true` (optionally `KmsKeyId`).",
    }
    links = (
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-3",
    )
    tags = ("encryption", "rds", "database")
    kinds = ("rds.instance", "rds.cluster", "docdb.cluster", "neptune.cluster")
    noun = "database"

    def skip(self, node: Node) -> bool:
        if node.fact("replica_of") is not None or node.fact("snapshot") is not None:
            return True  # encryption is inherited from the source or snapshot
        if node.fact("engine_mode") == "serverless":
            return True  # Aurora Serverless v1: always encrypted, AWS refuses otherwise
        return node.fact("cluster") is not None  # an Aurora member: its cluster decides

    def explicit_only(self, node: Node) -> bool:
        # An engine mode that is not known may be Aurora Serverless v1 (always encrypted).
        mode = node.fact("engine_mode")
        return mode is not None and not is_known(mode)


class EfsUnencrypted(_StorageEncryptionRule):
    id = "IAC034"
    title = "EFS file system is not encrypted"
    category = "encryption"
    severity = Severity.HIGH
    description = (
        "EFS encryption at rest can only be chosen when the file system is created. An "
        "unencrypted file system stores every file and its backups in clear, with no key "
        "policy to limit who can read them."
    )
    remediation = {
        "terraform": "Set `encrypted = true` (optionally `kms_key_id`) on `aws_efs_file_system`.",
        "cloudformation": "Set `Encrypted: true` (optionally `KmsKeyId`).",
    }
    links = (
        "https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/efs-controls.html#efs-1",
    )
    tags = ("encryption", "efs", "storage")
    kinds = ("efs.file_system",)
    fact_name = "encrypted"
    noun = "EFS file system"


class ElastiCacheUnencrypted(_StorageEncryptionRule):
    id = "IAC035"
    title = "ElastiCache replication group is not encrypted at rest"
    category = "encryption"
    severity = Severity.HIGH
    description = (
        "Without at-rest encryption, ElastiCache writes swap files and backups (snapshots "
        "exported to S3 included) in clear. It can only be enabled when the replication "
        "group is created."
    )
    remediation = {
        "terraform": (
            "Set `at_rest_encryption_enabled = true` on `aws_elasticache_replication_group`."
        ),
        "cloudformation": "Set `AtRestEncryptionEnabled: true` on the replication group.",
    }
    links = (
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html",
    )
    tags = ("encryption", "elasticache", "cache")
    kinds = ("elasticache.replication_group",)
    fact_name = "at_rest_encryption"
    noun = "ElastiCache replication group"


class RedshiftUnencrypted(_StorageEncryptionRule):
    id = "IAC036"
    title = "Redshift cluster is not encrypted"
    category = "encryption"
    severity = Severity.HIGH
    description = (
        "An unencrypted Redshift cluster stores its data blocks, system metadata and "
        "snapshots in clear. Turning encryption on later makes AWS migrate all of the "
        "cluster's data, with a read-only window."
    )
    remediation = {
        "terraform": "Set `encrypted = true` (optionally `kms_key_id`) on `aws_redshift_cluster`.",
        "cloudformation": "Set `Encrypted: true` (optionally `KmsKeyId`).",
    }
    links = (
        "https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-db-encryption.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/redshift-controls.html",
    )
    tags = ("encryption", "redshift", "database")
    kinds = ("redshift.cluster",)
    fact_name = "encrypted"
    noun = "Redshift cluster"


class DynamoDbEncryptionDisabled(_StorageEncryptionRule):
    id = "IAC037"
    title = "DynamoDB table has server-side encryption explicitly disabled"
    category = "encryption"
    severity = Severity.HIGH
    description = (
        "DynamoDB always encrypts at rest, but a table that explicitly disables "
        "server-side encryption falls back to an AWS owned key that you cannot audit, "
        "rotate or restrict with a key policy. Use the AWS managed or a customer managed "
        "KMS key instead."
    )
    remediation = {
        "terraform": "Set `server_side_encryption { enabled = true }` (optionally `kms_key_arn`).",
        "cloudformation": "Set `SSESpecification.SSEEnabled: true` (optionally `KMSMasterKeyId`).",
    }
    links = (
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html",
    )
    tags = ("encryption", "dynamodb", "database")
    kinds = ("dynamodb.table",)
    fact_name = "sse_enabled"
    noun = "DynamoDB table"
    only_explicit = True


class DataStoreUnencrypted(BuiltinRule):
    id = "IAC039"
    title = "OpenSearch domain, DAX cluster, Kinesis stream or WorkSpace is not encrypted"
    category = "encryption"
    severity = Severity.HIGH
    description = (
        "Data stores whose AWS default is no encryption at rest, besides those with a rule "
        "of their own: OpenSearch/Elasticsearch domains and DAX clusters (chosen at "
        "creation only), Kinesis data streams (records in clear until `KMS` is set) and "
        "WorkSpaces root and user volumes. Services that always encrypt at rest (SQS with "
        "SSE-SQS, CloudWatch Logs, DynamoDB, S3 since 2023, Aurora Serverless v1) are not "
        "findings here."
    )
    remediation = {
        "terraform": (
            "OpenSearch: `encrypt_at_rest { enabled = true }`; DAX: "
            "`server_side_encryption { enabled = true }`; Kinesis: `encryption_type = "
            "\"KMS\"` with `kms_key_id`; WorkSpaces: `root_volume_encryption_enabled` and "
            "`user_volume_encryption_enabled = true` with `volume_encryption_key`."
        ),
        "cloudformation": (
            "OpenSearch: `EncryptionAtRestOptions.Enabled: true`; DAX: "
            "`SSESpecification.SSEEnabled: true`; Kinesis: `StreamEncryption` with "
            "`EncryptionType: KMS` and `KeyId`; WorkSpaces: `RootVolumeEncryptionEnabled` and "
            "`UserVolumeEncryptionEnabled: true` with `VolumeEncryptionKey`."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/"
        "encryption-at-rest.html",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAXEncryptionAtRest.html",
        "https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html",
        "https://docs.aws.amazon.com/workspaces/latest/adminguide/encrypt-workspaces.html",
    )
    tags = ("encryption", "opensearch", "dax", "kinesis", "workspaces")
    #: kind → (noun, fact, what is encrypted) for each data store in scope.
    checks: tuple[tuple[str, str, str, str], ...] = (
        ("opensearch.domain", "OpenSearch domain", "encrypted", "encryption at rest"),
        ("dax.cluster", "DAX cluster", "encrypted", "server-side encryption"),
        ("kinesis.stream", "Kinesis stream", "encrypted", "stream encryption (KMS)"),
        ("workspaces.workspace", "WorkSpace", "root_volume_encrypted",
         "root volume encryption"),
        ("workspaces.workspace", "WorkSpace", "user_volume_encrypted",
         "user volume encryption"),
    )

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for kind, noun, fact_name, what in self.checks:
            for node in graph.of_kind(kind):
                found = _state(node.fact(fact_name))
                if found is None:
                    continue
                text = "is explicitly disabled" if found[0] == "false" else "is not enabled"
                yield self.finding(
                    node,
                    f"{noun} {node.address}: {what} {text}"
                    f"{when(found[1])}",
                    node.fact_loc(fact_name),
                    evidence=fact_name + (f" [{found[1]}]" if found[1] else ""),
                )


#: Condition operators on s3:x-amz-server-side-encryption that, in an Allow, admit
#: an upload that is not encrypted as required.
_ADMITS_UNENCRYPTED = ("stringnotequals", "stringnotequalsignorecase", "stringnotlike")
_SSE_KEY = "s3:x-amz-server-side-encryption"


def _grants_put_object(stmt: Statement) -> bool:
    actions = stmt.actions if isinstance(stmt.actions, tuple) else ()
    for action in actions:
        if isinstance(action, str) and fnmatchcase("s3:putobject", action.strip().lower()):
            return True
    return False


def _unencrypted_clause(conditions: Any) -> str | None:
    """The condition clause that lets an unencrypted upload through, as text."""
    if not isinstance(conditions, dict):
        return None
    for operator, clauses in conditions.items():
        if not (isinstance(operator, str) and isinstance(clauses, dict)):
            continue
        op = operator.split(":")[-1].removesuffix("IfExists").lower()
        for key, value in clauses.items():
            if not (isinstance(key, str) and key.lower() == _SSE_KEY):
                continue
            values = value if isinstance(value, list) else [value]
            if op == "null" and any(
                v is True or (isinstance(v, str) and v.lower() == "true") for v in values
            ):
                return f"{operator} {key} = true (the upload carries no encryption header)"
            if op in _ADMITS_UNENCRYPTED and all(is_known(v) for v in values):
                return f"{operator} {key} {shorten(repr(values))}"
    return None


class S3PolicyAllowsUnencryptedUploads(BuiltinRule):
    id = "IAC038"
    title = "S3 bucket policy allows unencrypted uploads"
    category = "encryption"
    severity = Severity.HIGH
    description = (
        "A bucket policy that is meant to require encrypted uploads must Deny s3:PutObject "
        "when the s3:x-amz-server-side-encryption header is missing or wrong. Written as an "
        "Allow with the same condition it does the opposite: it explicitly grants uploads "
        "that are not encrypted as required."
    )
    remediation = {
        "terraform": (
            "Change the statement's `effect` to \"Deny\" (with `Principal \"*\"`), or drop it "
            "and rely on `aws_s3_bucket_server_side_encryption_configuration`."
        ),
        "cloudformation": (
            "Change the statement's `Effect` to `Deny` (with `Principal: \"*\"`), or drop it and "
            "rely on `BucketEncryption`."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html",
    )
    tags = ("encryption", "s3", "iam")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for grant in grants(graph):
            if grant.doc.governs != "s3.bucket":
                continue
            if not _grants_put_object(grant.stmt):
                continue
            clause = _unencrypted_clause(grant.stmt.conditions)
            if clause is not None:
                yield self.finding(
                    grant.node,
                    f"{grant.where()} allows s3:PutObject when {clause}; to require "
                    "encryption, Deny these uploads instead",
                    grant.stmt.loc("Condition"),
                    evidence=grant.key(),
                    related=policy_related(graph, grant.node),
                )


RULES = [
    EbsVolumeUnencrypted,
    BlockDeviceUnencrypted,
    S3BucketEncryption,
    RdsStorageUnencrypted,
    EfsUnencrypted,
    ElastiCacheUnencrypted,
    RedshiftUnencrypted,
    DynamoDbEncryptionDisabled,
    S3PolicyAllowsUnencryptedUploads,
    DataStoreUnencrypted,
]
