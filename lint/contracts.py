"""An import-linter contract that import-linter does not ship: no private names across modules.

A name with a leading underscore (``_locked``, ``_spec``) is its module's own
business: another module that imports it depends on something its author may
change freely, and the next engineer cannot see the dependency. Make the name
public, or move the code that needs it.

Runs in ``make lint`` as ``lint-imports``; configured in pyproject.toml::

    [tool.importlinter]
    contract_types = ["private_names: lint.contracts.PrivateNamesContract"]
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from importlinter import Contract, ContractCheck, output


@dataclass(frozen=True)
class PrivateImport:
    importer: str
    line: int
    imported: str
    name: str


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = importer.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def source_file(module: str) -> Path | None:
    """Where ``module`` is written, found without importing it (importing would need Django)."""
    root, *rest = module.split(".")
    spec = importlib.util.find_spec(root)  # a top-level name: located, not executed
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations))).joinpath(*rest)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def private_imports(module: str) -> list[PrivateImport]:
    """The private names ``module`` imports from other modules."""
    path = source_file(module)
    if path is None:
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        source = _resolve(module, is_package, node)
        if source == module:
            continue
        found += [
            PrivateImport(module, node.lineno, source, alias.name)
            for alias in node.names
            if _is_private(alias.name)
        ]
    return found


class PrivateNamesContract(Contract):
    """No module of the root packages imports a private name from another module."""

    type_name = "private_names"

    def check(self, graph, verbose: bool) -> ContractCheck:
        roots = tuple(self.session_options["root_packages"])
        modules = sorted(m for m in graph.modules if m.split(".")[0] in roots)
        found = [imp for module in modules for imp in private_imports(module)]
        return ContractCheck(kept=not found, metadata={"imports": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for imp in check.metadata["imports"]:
            output.print_error(
                f"{imp.importer} (line {imp.line}) imports the private name "
                f"{imp.name} from {imp.imported}",
                bold=False,
            )
            output.new_line()
        output.print("Make the name public, or move the code that needs it into its module.")
