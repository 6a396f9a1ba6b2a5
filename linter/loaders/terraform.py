"""Load `.tf` and `.tf.json` files into the project's own HCL AST (hcl_ast).

HCL goes through hcl.py (tree-sitter-hcl, with python-hcl2 as reference and for
what tree-sitter rejects), template text (heredocs, strings) is scanned by
tf_templates and `.tf.json` is converted by terraform_json (on the line-keeping
JSON decoder in marked), so every syntax yields the same nodes. Results are
cached in memory and on disk (tf_cache).
"""

from __future__ import annotations

import re

from linter.loaders import tf_cache as disk_cache
from linter.loaders.hcl import HclSyntaxError, parse_hcl_body
from linter.loaders.hcl_ast import TerraformFile
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
    return with_words(cached, data)


_CAPITALISED = re.compile(rb"True|TRUE|False|FALSE|Null|NULL|None")


def with_words(doc: TerraformFile | ParseError, data: bytes) -> TerraformFile | ParseError:
    """`doc`, noting whether its text holds a capitalised literal-like word at all."""
    if isinstance(doc, TerraformFile):
        doc.capitalised_words = _CAPITALISED.search(data) is not None
    return doc


def _load(path: str, data: bytes) -> TerraformFile | ParseError:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ParseError(path, line, f"file is not valid UTF-8: {exc.reason}")
    if path.endswith(".json"):
        return load_terraform_json(path, text)
    try:
        body = parse_hcl_body(text)
    except HclSyntaxError as exc:
        return ParseError(path, exc.line, exc.message, exc.column)
    return TerraformFile(path=path, body=body, syntax="hcl")
