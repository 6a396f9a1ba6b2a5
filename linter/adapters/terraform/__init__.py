"""Terraform adapter: evaluate each root module and turn its resources into nodes.

`adapt(documents, ctx)` groups the loaded files by directory (one directory is
one module), finds the root modules among them (a directory another scanned
directory calls through a relative `source` is not a root), and evaluates each
root the way `terraform plan` would, as far as that is possible without
providers or state:

  config.py          module directories, override files, roots, module sources
                     (relative paths, `.terraform/modules/modules.json`)
  variables.py       input precedence (defaults < TF_VAR_ < terraform.tfvars(.json)
                     < *.auto.tfvars(.json) < --var-file < --var) and type conversion
                     (including `optional()` object attributes)
  instance.py        one module instance: var/local/module/resource/data names,
                     count/for_each expansion, provider default_tags
  evaluator.py       expressions: templates, traversals, splats, for, operators
  functions.py       Terraform's built-in functions
  values.py          lazy references (ResourceObj → Ref), Invalid, partial texts,
                     and `export`: what each becomes when a node is finished
  policies.py        IAM policies in every shape, with lines
  resource_facts.py  native types → kinds and facts (linter/facts.py)
  view.py            what resource_facts may ask about the resource being built
  project.py         walks the instances and builds the nodes
  plan.py            a plan's JSON (`terraform show -json`): its resolved values,
                     with kinds and facts filled by resource_facts as above

Whatever cannot be known (computed attributes, data sources, variables without
a value) is Unknown, or a Ref naming the resource it comes from; an expression
Terraform would reject is Invalid (also unknown). Nothing here raises for bad input;
a bug while evaluating one root module is an internal error at its first file
(IAC999) and the other root modules are still evaluated.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from typing import Any

from linter.adapters import AdaptContext, AdaptResult, guarded
from linter.adapters.terraform.config import ConfigLoader, root_directories
from linter.adapters.terraform.limits import Confinement
from linter.adapters.terraform.literals import misspelt_literals
from linter.adapters.terraform.plan import plan_nodes
from linter.adapters.terraform.project import Project
from linter.loaders.hcl_ast import TerraformFile
from linter.loaders.terraform_plan import PlanFile

log = logging.getLogger(__name__)


def adapt(documents: list[Any], ctx: AdaptContext) -> AdaptResult:
    result = AdaptResult(stats={"tf_resources": 0, "tf_unknown_values": 0, "tf_modules": 0})
    scanned: dict[str, list[TerraformFile]] = {}
    plans: list[PlanFile] = []
    for doc in documents:
        if isinstance(doc, PlanFile):
            plans.append(doc)
        elif isinstance(doc, TerraformFile):
            scanned.setdefault(os.path.dirname(os.path.abspath(doc.path)), []).append(doc)
            result.errors.extend(misspelt_literals(doc))
    # file(), templatefile(), tfvars and module sources read only inside these trees
    confinement = Confinement.of_scan(ctx.root, scanned)
    loader = ConfigLoader(scanned, confinement)
    seen: set[str] = set()
    for root in root_directories(scanned):
        config = loader.get(root)
        if config is None:
            continue
        project = Project(root, loader, ctx, confinement)
        first = config.files[0].path if config.files else root
        started = time.perf_counter()
        nodes = guarded(
            result, first, "the Terraform adapter", functools.partial(project.run, config),
            "no resource of the root module this file belongs to was checked",
        )
        result.errors.extend(project.errors)
        if nodes is None:
            continue
        log.debug("evaluated the root module %s: %d resources in %.3fs", root, len(nodes),
                  time.perf_counter() - started)
        for node in nodes:
            if node.id not in seen:
                seen.add(node.id)
                result.nodes.append(node)
        for key, value in project.stats.items():
            result.stats[key] = result.stats.get(key, 0) + value
    _add_plans(result, plans, scanned)
    return result


def _add_plans(result: AdaptResult, plans: list[PlanFile],
               scanned: dict[str, list[TerraformFile]]) -> None:
    """Each plan's nodes. A plan is what its directory's configuration evaluates to with
    every value resolved, so when that directory is also a scanned root module, the
    plan's resources replace the ones evaluated from `.tf` (same address): one finding
    per defect, with the plan's values, at the `.tf` lines (linter/adapters/terraform/plan.py)."""
    replaced: set[str] = set()
    for plan in sorted(plans, key=lambda p: p.path):
        nodes = guarded(
            result, plan.path, "the Terraform plan adapter",
            functools.partial(plan_nodes, plan, scanned, result.errors),
            "no resource of this plan was checked",
        )
        if nodes is None:
            continue
        root = os.path.dirname(os.path.abspath(plan.path))
        replaced.update(f"{root}::{node.address}" for node in nodes)
        result.nodes.extend(nodes)
        result.stats["tf_plan_resources"] = result.stats.get("tf_plan_resources", 0) + len(nodes)
    if replaced:
        result.nodes = [n for n in result.nodes if n.id not in replaced]


__all__ = ["adapt"]
