"""Imports point one way: engine never imports compose; netplan imports neither; typer only in the CLI."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "engine": {"compose", "netplan"},
    "netplan": {"compose", "engine"},
    "pycompose": {"compose", "engine", "netplan"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package):
    wrong = {str(p.relative_to(ROOT)): sorted(_imports(p) & FORBIDDEN[package]) for p in _modules(package)}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_typer_is_imported_only_by_the_cli():
    users = [str(p.relative_to(ROOT)) for pkg in ("compose", "engine", "netplan", "pycompose")
             for p in _modules(pkg) if "typer" in _imports(p) or "click" in _imports(p)]
    assert all(u.startswith("compose/cli/") for u in users), users


def test_the_loader_does_not_import_networkx():
    """`config` must start fast: networkx costs 170+ ms of import and belongs to planning only."""
    users = [str(p.relative_to(ROOT)) for p in _modules("compose/load") if "networkx" in _imports(p)]
    assert users == []
