"""Load `.tf` and `.tf.json` files into the project's own HCL AST (hcl_ast).

HCL is parsed and converted by hcl_lark (the only module that sees Lark types),
template text (heredocs, strings) is scanned by tf_templates and `.tf.json` is
converted by terraform_json (on the line-keeping JSON decoder in marked), so every
syntax yields the same nodes. Results are cached in memory and on disk (tf_cache).

With `IACLINT_HCL_FRONTEND=tree-sitter`, HCL is first parsed by hcl_treesitter
(same nodes, about ten times faster); on a syntax error, a construct it leaves
to Lark, or without the tree_sitter packages, the file goes through hcl_lark.
"""

from __future__ import annotations

import os

from linter.loaders import tf_cache as disk_cache
from linter.loaders.hcl_ast import TerraformFile
from linter.loaders.hcl_lark import HclSyntaxError, parse_hcl_body
from linter.loaders.terraform_json import load_terraform_json
from linter.model import ParseError

_PARSE_CACHE: dict[tuple[str, bytes], TerraformFile | ParseError] = {}


def load_terraform(path: str, data: bytes) -> TerraformFile | ParseError:
    """The TerraformFile for `data`, or a ParseError at the line the parser reports.

    Parsing is the slowest step of a scan, so results are memoized in memory and
    in an on-disk cache keyed by the content and this loader's own source.
    """
    key = (path, data)
    cached = _PARSE_CACHE.get(key)
    if cached is None:
        cached = disk_cache.get(path, data)
        if cached is None:
            cached = _load(path, data)
            disk_cache.put(path, data, cached)
        if len(_PARSE_CACHE) > 4096:
            _PARSE_CACHE.clear()
        _PARSE_CACHE[key] = cached
    return cached


def _load(path: str, data: bytes) -> TerraformFile | ParseError:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ParseError(path, line, f"file is not valid UTF-8: {exc.reason}")
    if path.endswith(".json"):
        return load_terraform_json(path, text)
    if os.environ.get("IACLINT_HCL_FRONTEND", "").strip().lower() == "tree-sitter":
        from linter.loaders import hcl_treesitter

        fast = hcl_treesitter.parse_hcl_body(text)
        if fast is not None:
            return TerraformFile(path=path, body=fast, syntax="hcl")
    try:
        body = parse_hcl_body(text)
    except HclSyntaxError as exc:
        return ParseError(path, exc.line, exc.message, exc.column)
    return TerraformFile(path=path, body=body, syntax="hcl")
