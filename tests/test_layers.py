"""The package keeps its layers: the lower ones never import the crawl's machinery.

``extract/``, ``discovery/``, ``storage/`` and ``dedupe/`` are used by the spider, the pipelines
and the commands, never the other way round; ``extract/`` imports no Scrapy at all; and only
settings, items, URLs and signals sit loose at the top of ``newscrawler/`` (beside the
deprecated shims of old dotted paths). Read from the source, so an import inside a function
counts too; one under ``if TYPE_CHECKING:`` does not (it names a type and runs nothing).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "newscrawler"
LOWER = ("extract", "discovery", "storage", "dedupe")
UPPER = ("spiders", "spidermiddlewares", "pipelines", "middlewares", "addons", "commands")
TOP_LEVEL = {"__init__.py", "settings.py", "items.py", "urls.py", "signals.py"}
SHIMS = {"browser.py", "distributed.py", "frontier.py", "redis_frontier.py", "resolver.py", "feeds.py"}
"""Old dotted paths that users' settings name: re-exports with a deprecation warning."""


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function (relative imports resolved
    against ``package``, by default the one the file is in)."""
    if package is None:
        package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    type_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node.test)
                 for stmt in node.body for inner in ast.walk(stmt)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


@pytest.mark.parametrize("layer", LOWER)
def test_lower_layers_never_import_the_crawl_machinery(layer: str) -> None:
    forbidden = tuple(f"newscrawler.{name}" for name in UPPER)
    crossing = {
        f"{path.relative_to(PACKAGE.parent)} imports {module}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for module in imported_modules(path)
        if module in forbidden or module.startswith(tuple(f"{f}." for f in forbidden))
    }
    assert crossing == set()


def test_extraction_imports_no_scrapy() -> None:
    scrapy = {f"{path.relative_to(PACKAGE.parent)} imports {module}"
              for path in sorted((PACKAGE / "extract").rglob("*.py"))
              for module in imported_modules(path) if module == "scrapy" or module.startswith("scrapy.")}
    assert scrapy == set()


def test_only_settings_items_urls_and_signals_are_loose_at_the_top() -> None:
    loose = {path.name for path in PACKAGE.glob("*.py")} - TOP_LEVEL - SHIMS
    assert loose == set(), "put new modules in a package (see /work/shared/ARCHITECTURE.md's layout)"


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from typing import TYPE_CHECKING\n"
                     "def f():\n    from newscrawler.pipelines.dedupe import DedupePipeline\n"
                     "from ..middlewares import javascript\n"
                     "if TYPE_CHECKING:\n    from newscrawler.spiders.news import NewsSpider\n", encoding="utf-8")
    found = imported_modules(probe, package="newscrawler.extract")
    assert {"newscrawler.pipelines.dedupe", "newscrawler.middlewares.javascript"} <= found
    assert "newscrawler.spiders.news" not in found
