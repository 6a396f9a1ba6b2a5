"""Module configurations: all `.tf`/`.tf.json` files of a directory as one module.

Also decides which scanned directories are root modules (a directory another
scanned directory calls as a local module is not a root) and resolves module
sources, including registry modules already downloaded into `.terraform/modules`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from linter.adapters.terraform.limits import Confinement
from linter.loaders.hcl_ast import Attribute, Block, Literal, TerraformFile
from linter.loaders.terraform import load_terraform
from linter.model import ParseError, Unknown

MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


@dataclass(eq=False)
class Decl:
    """One `resource` or `data` block."""

    mode: str  # "managed" | "data"
    type: str
    name: str
    block: Block
    path: str


@dataclass(eq=False)
class ModuleConfig:
    directory: str
    files: list[TerraformFile] = field(default_factory=list)
    variables: dict[str, tuple[Block, str]] = field(default_factory=dict)
    locals: dict[str, tuple[Attribute, str]] = field(default_factory=dict)
    outputs: dict[str, tuple[Block, str]] = field(default_factory=dict)
    resources: dict[tuple[str, str, str], Decl] = field(default_factory=dict)
    module_calls: dict[str, tuple[Block, str]] = field(default_factory=dict)
    providers: list[tuple[Block, str]] = field(default_factory=list)
    resource_types: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, directory: str, files: list[TerraformFile]) -> ModuleConfig:
        cfg = cls(directory=directory, files=sorted(files, key=lambda f: f.path))
        overrides = [f for f in cfg.files if _is_override(f.path)]
        for f in cfg.files:
            if not _is_override(f.path):
                for block in f.body.blocks:
                    cfg._add(block, f.path)
        for f in overrides:
            for block in f.body.blocks:
                cfg._override(block, f.path)
        return cfg

    def _override(self, block: Block, path: str) -> None:
        """Merge an override file's block into the block it overrides (Terraform semantics).

        The merged block is a copy (parsed files are cached and shared), and the
        overriding attributes remember their own file for locations.
        """
        kind, labels = block.type, block.labels
        if kind == "locals":
            for name, attr in block.attributes.items():
                self.locals[name] = (attr, path)
            return
        key = labels[0] if labels else None
        if kind in ("resource", "data") and len(labels) == 2:
            rkey = ("managed" if kind == "resource" else "data", labels[0], labels[1])
            decl = self.resources.get(rkey)
            if decl is not None:
                merged = _merged(decl.block, block, path)
                self.resources[rkey] = Decl(decl.mode, decl.type, decl.name, merged, decl.path)
            return
        table: dict[str, tuple[Block, str]] | None = {
            "variable": self.variables,
            "output": self.outputs,
            "module": self.module_calls,
        }.get(kind)
        if table is not None and key in table:
            original, opath = table[key]
            table[key] = (_merged(original, block, path), opath)

    def _add(self, block: Block, path: str) -> None:
        kind, labels = block.type, block.labels
        if kind == "resource" and len(labels) == 2:
            self.resources[("managed", labels[0], labels[1])] = Decl(
                "managed", labels[0], labels[1], block, path
            )
            self.resource_types.add(labels[0])
        elif kind == "data" and len(labels) == 2:
            self.resources[("data", labels[0], labels[1])] = Decl(
                "data", labels[0], labels[1], block, path
            )
        elif kind == "variable" and labels:
            self.variables[labels[0]] = (block, path)
        elif kind == "locals":
            for name, attr in block.attributes.items():
                self.locals[name] = (attr, path)
        elif kind == "output" and labels:
            self.outputs[labels[0]] = (block, path)
        elif kind == "module" and labels:
            self.module_calls[labels[0]] = (block, path)
        elif kind == "provider" and labels:
            self.providers.append((block, path))

    def local_sources(self) -> list[str]:
        """Directories this module calls through relative `source` paths."""
        out = []
        for block, _ in self.module_calls.values():
            target = local_source_dir(self.directory, block)
            if target:
                out.append(target)
        return out


def _merged(original: Block, override: Block, path: str) -> Block:
    attrs = dict(original.attributes)
    for name, attr in override.attributes.items():
        attrs[name] = Attribute(attr.name, attr.expr, attr.line, attr.end_line, path)
    replaced = {b.type for b in override.blocks}
    blocks = [b for b in original.blocks if b.type not in replaced] + list(override.blocks)
    return Block(
        original.type, list(original.labels), attrs, blocks, original.line, original.end_line
    )


def _is_override(path: str) -> bool:
    name = os.path.basename(path)
    for ext in (".tf.json", ".tf"):
        if name.endswith(ext):
            stem = name[: -len(ext)]
            return stem == "override" or stem.endswith("_override")
    return False


def source_text(block: Block) -> str | None:
    attr = block.attributes.get("source")
    if attr is None or not isinstance(attr.expr, Literal) or not isinstance(attr.expr.value, str):
        return None
    return attr.expr.value


def local_source_dir(caller_dir: str, block: Block) -> str | None:
    source = source_text(block)
    if source is None or not (
        source.startswith("./") or source.startswith("../") or source in (".", "..")
    ):
        return None
    return os.path.normpath(os.path.join(caller_dir, source))


class ConfigLoader:
    """Module configurations by directory: scanned documents first, then the disk."""

    def __init__(
        self, scanned: dict[str, list[TerraformFile]], confinement: Confinement | None = None
    ) -> None:
        self.scanned = scanned
        #: Module directories read from disk must lie inside it (default: the scanned ones).
        self.confinement = confinement or Confinement(scanned)
        self._cache: dict[str, ModuleConfig | None] = {}
        self._modules_json: dict[str, dict[str, str]] = {}

    def get(self, directory: str) -> ModuleConfig | None:
        directory = os.path.normpath(directory)
        if directory in self._cache:
            return self._cache[directory]
        # The runner hands over whole module directories (linter.runner adds the
        # siblings of a named file); other module sources are read from disk here.
        files = self.scanned.get(directory)
        if files is None and self.confinement.inside(directory):
            files = self._from_disk(directory)
        cfg = ModuleConfig.build(directory, files) if files else None
        self._cache[directory] = cfg
        return cfg

    def _from_disk(self, directory: str) -> list[TerraformFile] | None:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return None
        out: list[TerraformFile] = []
        for name in names:
            if not name.endswith((".tf", ".tf.json")) or name.startswith("."):
                continue
            path = os.path.join(directory, name)
            text = self.confinement.read_text(path, None)  # the scan's per-file limit
            if isinstance(text, Unknown):
                continue
            doc = load_terraform(path, text.encode("utf-8"))
            if not isinstance(doc, ParseError):
                out.append(doc)
        return out

    def downloaded(self, root_dir: str, key: str) -> str | None:
        """The directory `.terraform/modules/modules.json` records for module `key`."""
        table = self._modules_json.get(root_dir)
        if table is None:
            table = {}
            path = os.path.join(root_dir, ".terraform", "modules", "modules.json")
            try:
                text = self.confinement.read_text(path)
                if isinstance(text, Unknown):
                    raise ValueError(text.reason)
                data = json.loads(text)
                for entry in data.get("Modules", []) or []:
                    if isinstance(entry, dict) and entry.get("Key") and entry.get("Dir"):
                        target = os.path.normpath(os.path.join(root_dir, str(entry["Dir"])))
                        if self.confinement.inside(target):
                            table[str(entry["Key"])] = target
            except (OSError, ValueError, AttributeError, RecursionError):
                pass
            self._modules_json[root_dir] = table
        return table.get(key)


def root_directories(scanned: dict[str, list[TerraformFile]]) -> list[str]:
    """Scanned directories that are root modules: not called by another scanned one."""
    configs = {d: ModuleConfig.build(d, files) for d, files in scanned.items()}
    calls = {
        d: [t for t in cfg.local_sources() if t in configs and t != d] for d, cfg in configs.items()
    }
    called = {t for targets in calls.values() for t in targets}
    roots = sorted(d for d in configs if d not in called)
    reached: set[str] = set()
    stack = list(roots)
    while stack:
        d = stack.pop()
        if d in reached:
            continue
        reached.add(d)
        stack.extend(calls.get(d, ()))
    for d in sorted(configs):  # directories only reachable through a cycle
        if d not in reached:
            roots.append(d)
            stack = [d]
            while stack:
                x = stack.pop()
                if x not in reached:
                    reached.add(x)
                    stack.extend(calls.get(x, ()))
    return roots
