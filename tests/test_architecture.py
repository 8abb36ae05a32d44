"""The architecture rules stay true: the apps are layers, and private names stay private.

``make lint`` runs ``lint-imports`` with the contracts of pyproject.toml: a
layers contract (defcore_site > votes > capabilities > guidelines > committee:
a lower app never imports a higher one) and the project's own contract,
``lint.contracts.PrivateNamesContract`` (no module imports another module's
private names). These tests run it on the repository, check the order of the
layers, and show on a throwaway package that the private-names contract
catches what it should and only that.
"""

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from lint.contracts import PrivateImport, private_imports, source_file

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(*args: str, cwd: Path = REPO, env: dict | None = None):
    """Run lint-imports; its output with the line wrapping undone."""
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, " ".join((result.stdout + result.stderr).split())


def importlinter_config() -> dict:
    with (REPO / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["tool"]["importlinter"]


# The repository


def test_lint_imports_passes_on_the_repository_and_keeps_both_contracts():
    status, output = lint_imports()

    assert status == 0, output
    names = [contract["name"] for contract in importlinter_config()["contracts"]]
    assert len(names) == 2
    for name in names:
        assert f"{name} KEPT" in output, output
    assert "Contracts: 2 kept, 0 broken." in output


def test_the_layers_name_committee_guidelines_capabilities_votes_releases_and_cycles():
    config = importlinter_config()
    [layers] = [c for c in config["contracts"] if c["type"] == "layers"]

    from_the_bottom = list(reversed(layers["layers"]))

    assert from_the_bottom[:4] == ["committee", "guidelines", "capabilities", "votes"]
    # Publishing, the calendar and compliance stand side by side: none imports another.
    assert from_the_bottom[4:] == ["releases | cycles | compliance", "defcore_site"]
    # Every layer is a root package lint-imports analyses, and nothing else is.
    apps = [app.strip() for layer in layers["layers"] for app in layer.split("|")]
    assert sorted(config["root_packages"]) == sorted(apps)


def test_no_module_of_a_lower_app_imports_a_higher_one():
    status, output = lint_imports("--contract", "layers")

    assert status == 0, output
    assert "committee KEPT" in output and "Contracts: 1 kept, 0 broken." in output


def test_the_private_names_contract_is_registered_from_lint_contracts():
    config = importlinter_config()

    assert "private_names: lint.contracts.PrivateNamesContract" in config["contract_types"]
    assert [c["type"] for c in config["contracts"]].count("private_names") == 1


# The private-names contract on a throwaway package

PACKAGE = {
    "__init__.py": (
        '"""A throwaway package."""\n'
        "from . import _impl  # its own submodule\n"
        "from pkgx import _impl as _same  # the same, absolutely\n"
    ),
    "_impl.py": "VALUE = 1\n",
    "a.py": (
        '"""Defines private names."""\n'
        '__all__ = ["public"]\n'
        "_hidden = 1\n"
        "_hidden2 = 2\n"
        "public = 3\n"
        "from .a import _hidden as _again  # its own name\n"
        "from pkgx.a import _hidden2 as _again2  # its own name, absolutely\n"
    ),
    "b.py": (
        '"""Imports a\'s private names, and what is allowed."""\n'
        "\n"
        "from pkgx.a import _hidden\n"
        "from .a import _hidden2, public\n"
        "from pkgx.a import __all__\n"
        "import pkgx.a as _a\n"
    ),
    "sub/__init__.py": "from .. import _impl\n",
    "sub/c.py": (
        "def later():\n"
        "    from ..a import _hidden  # inside a function counts too\n"
        "\n"
        "    return _hidden\n"
    ),
}


@pytest.fixture
def pkgx(tmp_path, monkeypatch):
    """The package ``pkgx`` written into tmp_path and put on sys.path, forgotten afterwards."""
    root = tmp_path / "pkgx"
    for name, text in PACKAGE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))  # invalidates importlib's caches too
    yield root
    for name in [m for m in sys.modules if m == "pkgx" or m.startswith("pkgx.")]:
        del sys.modules[name]
    sys.path_importer_cache.pop(str(tmp_path), None)
    importlib.invalidate_caches()


def test_private_names_imported_from_another_module_are_reported_with_their_lines(pkgx):
    assert private_imports("pkgx.b") == [
        PrivateImport(importer="pkgx.b", line=3, imported="pkgx.a", name="_hidden"),
        PrivateImport(importer="pkgx.b", line=4, imported="pkgx.a", name="_hidden2"),
    ]


def test_relative_imports_from_a_parent_package_are_resolved_and_reported(pkgx):
    assert private_imports("pkgx.sub.c") == [
        PrivateImport(importer="pkgx.sub.c", line=2, imported="pkgx.a", name="_hidden")
    ]
    assert private_imports("pkgx.sub") == [
        PrivateImport(importer="pkgx.sub", line=1, imported="pkgx", name="_impl")
    ]


def test_dunder_names_public_names_and_a_module_s_own_names_are_not_reported(pkgx):
    reported = private_imports("pkgx.b")

    assert {imp.name for imp in reported} == {"_hidden", "_hidden2"}  # not __all__, public, _a
    assert private_imports("pkgx.a") == []
    assert private_imports("pkgx") == []
    assert private_imports("pkgx._impl") == []


def test_source_files_are_found_without_importing_anything(pkgx):
    assert source_file("pkgx") == pkgx / "__init__.py"
    assert source_file("pkgx.b") == pkgx / "b.py"
    assert source_file("pkgx.sub") == pkgx / "sub" / "__init__.py"
    assert source_file("pkgx.sub.c") == pkgx / "sub" / "c.py"
    assert source_file("pkgx.missing") is None
    assert private_imports("pkgx.missing") == []
    assert source_file("no_such_package_here") is None
    assert not [m for m in sys.modules if m == "pkgx" or m.startswith("pkgx.")]


def test_lint_imports_breaks_the_contract_on_the_throwaway_package(pkgx, tmp_path):
    config = tmp_path / "importlinter.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_packages = ["pkgx"]\n'
        'contract_types = ["private_names: lint.contracts.PrivateNamesContract"]\n'
        "\n"
        "[[tool.importlinter.contracts]]\n"
        'id = "private-names"\n'
        'name = "No private names across modules"\n'
        'type = "private_names"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}

    status, output = lint_imports("--config", str(config), cwd=tmp_path, env=env)

    assert status == 1, output
    assert "No private names across modules BROKEN" in output
    for line in (
        "pkgx.b (line 3) imports the private name _hidden from pkgx.a",
        "pkgx.b (line 4) imports the private name _hidden2 from pkgx.a",
        "pkgx.sub.c (line 2) imports the private name _hidden from pkgx.a",
        "pkgx.sub (line 1) imports the private name _impl from pkgx",
    ):
        assert line in output, output
    assert output.count("imports the private name") == 4
    assert "Make the name public, or move the code that needs it into its module." in output
