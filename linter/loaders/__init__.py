"""Per-format loaders: pure functions from (path, bytes) to a document or a ParseError.

Each loader owns its parser's data shapes and returns the project's own document
types, so nothing downstream depends on python-hcl2 or cfn-lint. A loader returns
None when the file turns out not to be of its format (skipped, not an error).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from linter.discovery import Format, Refused, SourceFile, as_utf8, read_source
from linter.model import ParseError

if TYPE_CHECKING:
    from linter.loaders.tf_prefetch import Prefetch

Loader = Callable[[str, bytes], Any]


def _loader_for(fmt: Format) -> Loader:
    # Imported lazily so that scanning only Terraform never imports cfn-lint.
    if fmt in (Format.TERRAFORM, Format.TERRAFORM_JSON):
        from linter.loaders.terraform import load_terraform

        return load_terraform
    if fmt is Format.TERRAFORM_PLAN:
        from linter.loaders.terraform_plan import load_terraform_plan

        return load_terraform_plan
    if fmt is Format.CLOUDFORMATION:
        from linter.loaders.cloudformation import load_cloudformation

        return load_cloudformation
    if fmt is Format.IAM_POLICY:
        from linter.loaders.iam_json import load_iam_policy

        return load_iam_policy
    raise ValueError(f"no loader for {fmt}")


def warm_up_terraform() -> None:
    """Import the Terraform loader and adapter and build the HCL parser now, so that a
    process forked afterwards (the `--new-since` base scan) shares them instead of
    importing and building them a second time."""
    import linter.adapters.terraform  # noqa: F401
    from linter.loaders import hcl, hcl_lark, hcl_treesitter

    if hcl.frontend() == "lark":
        hcl_lark.hcl_parser()
    else:
        hcl_treesitter.available()


def load(source: SourceFile, prefetch: Prefetch | None = None) -> Any:
    """The document for `source`, a ParseError, or None when it is not of its format.

    The bytes come through `read_source` (the scan's size limits, regular files only)
    and reach the loader as UTF-8: a file starting with a UTF-16/UTF-32 byte order
    mark is re-encoded here, a UTF-8 mark is dropped, so the loaders decode UTF-8 only.
    """
    try:
        data = read_source(source.path)
    except Refused as exc:
        return ParseError(source.path, 1, f"file not read: {exc.reason}")
    data = as_utf8(data)
    if prefetch is not None:
        doc = prefetch.take(source.path, data)
        if doc is not None:
            return doc
    return _loader_for(source.format)(source.path, data)
