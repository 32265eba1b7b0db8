"""The package's layers (docs/design.md), read off every import statement of src/minsheng with
`ast`: computation (core, plan, progress, report, returns, and the front door api) never
imports presentation (render, views, cli), and each layer imports only itself and the layers
below it. An import inside a function or under TYPE_CHECKING counts like any other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "minsheng"

# Lowest first. A module may import its own layer and any layer below it, never one above.
LAYERS = {
    "core": 0,  # problems with codes, units, status words, safe YAML, the cache
    "plan": 1,  # the plan file: models, loading, drafting
    "progress": 2,  # progress entries: rules, files, the store, the ledger
    "report": 3,  # completion, status, the cycle, the money, the JSON document
    "returns": 3,  # the monthly return: form, files, read back into entries
    "api": 4,  # the library's front door: load_plan, load_progress, build_report
    "rollup": 4,  # the city's roll-up, each district through the front door
    "render": 5,  # the formats: neutral tables as text, the page, the workbook, the 通报
    "views": 6,  # what each command shows, as tables and JSON
    "cli": 7,  # the command line
    "launch": 8,  # the program's entry: answers kept, else the command line
    "__main__": 9,  # python -m minsheng
    "__init__": 10,  # the package's face, for its users (its names come from api)
}
COMPUTATION = frozenset({"core", "plan", "progress", "report", "returns", "api", "rollup"})
PRESENTATION = frozenset({"render", "views", "cli"})
# `from minsheng import …` inside the package: the package's face is for its users, so only
# the version may be taken from it (a face that hands on more would import every layer).
FACE_NAMES = frozenset({"__version__"})


def layer_of(path: Path) -> str:
    """The layer of a module, by its place: a package's name, or a top-level module's."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def imports(source: str, module: str) -> list[tuple[int, str, list[str]]]:
    """Every import of the package in `source` (a module named `module`, dotted): the line,
    the module imported (absolute) and the names taken from it."""
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            name = node.module or ""
            if node.level:  # relative: from the module's own package upward
                base = module.split(".")[: -node.level]
                name = ".".join([*base, name] if name else base)
            found.append((node.lineno, name, [alias.name for alias in node.names]))
    return [(line, name, names) for line, name, names in found if name.split(".")[0] == "minsheng"]


def targets(name: str, names: list[str]) -> list[str]:
    """The layers an import reaches: minsheng.views.bulletin is views; `from minsheng import
    views` is views too; `from minsheng import __version__` is the package's face."""
    parts = name.split(".")
    if len(parts) > 1:
        return [parts[1]]
    return [taken if taken in LAYERS else "" for taken in names if taken not in FACE_NAMES]


def problems(path: Path, source: str) -> list[str]:
    """What in one module breaks the layers, each as `file:line: why`."""
    here = layer_of(path)
    where = path.relative_to(PACKAGE.parent).as_posix()
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    found: list[str] = []
    for line, name, names in imports(source, module):
        for target in targets(name, names):
            if target == "":
                found.append(f"{where}:{line}: takes {names} from the package's face")
            elif target not in LAYERS:
                found.append(f"{where}:{line}: imports {name}, which has no layer here")
            elif here in COMPUTATION and target in PRESENTATION:
                found.append(f"{where}:{line}: computation ({here}) imports {target}")
            elif here in LAYERS and LAYERS[target] > LAYERS[here]:
                found.append(f"{where}:{line}: {here} imports {target}, a layer above it")
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_package_and_top_module_has_a_layer() -> None:
    places = {layer_of(path) for path in modules()}
    assert places - set(LAYERS) == set(), "give each new package or module its layer here"


def test_no_module_imports_against_the_layers() -> None:
    found = [problem for path in modules() for problem in problems(path, path.read_text("utf-8"))]
    assert found == []


@pytest.mark.parametrize(
    ("place", "source", "why"),
    [
        (
            "report/compute.py",
            "def f():\n    from minsheng.render.tables import Table\n",
            "computation (report) imports render",
        ),
        (
            "returns/files.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from minsheng.views import returns\n",
            "computation (returns) imports views",
        ),
        ("core/cells.py", "import minsheng.cli.app\n", "computation (core) imports cli"),
        ("progress/store.py", "from ..views.bulletin import bar\n", "computation (progress)"),
        ("plan/load.py", "from minsheng.progress import store\n", "plan imports progress"),
        ("render/html.py", "from minsheng.cli.common import ask\n", "render imports cli"),
        ("render/html.py", "from minsheng import views\n", "render imports views"),
        ("views/tidy.py", "from minsheng.cli import report\n", "views imports cli"),
        ("core/cache.py", "from minsheng import load_plan\n", "the package's face"),
        ("report/funds.py", "from minsheng.gui import window\n", "has no layer"),
        ("api.py", "from minsheng.views.report_formats import render\n", "computation (api)"),
    ],
)
def test_an_import_against_the_layers_is_found(place: str, source: str, why: str) -> None:
    found = problems(PACKAGE / place, source)
    assert len(found) == 1 and why in found[0], found


@pytest.mark.parametrize(
    ("place", "source"),
    [
        ("views/tidy.py", "from minsheng.report.compute import Report\n"),
        ("render/html.py", "from minsheng.core.typography import typeset\n"),
        ("returns/files.py", "from minsheng.progress import store\n"),
        ("core/cache.py", "from minsheng import __version__\n"),
        ("cli/report.py", "from minsheng.views.report_formats import render\n"),
    ],
)
def test_an_import_down_the_layers_is_allowed(place: str, source: str) -> None:
    assert problems(PACKAGE / place, source) == []


def module_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Which module of `sources` (dotted name to text) imports which of the others; `from
    minsheng.render import docx` names the module minsheng.render.docx."""
    graph: dict[str, set[str]] = {name: set() for name in sources}
    for module, source in sources.items():
        for _, name, names in imports(source, module):
            reached = {f"{name}.{taken}" for taken in names} | {name}
            graph[module] |= {other for other in reached if other in sources and other != module}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of `graph`, each as the path that closes it (depth-first)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for other in sorted(graph[module]):
            if state.get(other) == 1:
                found.append([*path[path.index(other) :], other])
            elif other not in state:
                visit(other, [*path, other])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def package_sources() -> dict[str, str]:
    return {
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
            ".__init__"
        ): path.read_text("utf-8")
        for path in modules()
    }


def test_no_two_modules_import_each_other() -> None:
    """Not even for a type, nor through a third: each module can be read after those it
    imports (the package's face, which names the front door lazily, is left out)."""
    sources = package_sources()
    sources.pop("minsheng")
    assert circles(module_graph(sources)) == []


def test_a_circle_through_a_third_module_or_a_type_is_found() -> None:
    sources = {
        "minsheng.report.a": "from minsheng.report.b import x\n",
        "minsheng.report.b": "from minsheng.report import c\n",
        "minsheng.report.c": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from minsheng.report.a import Y\n",
        "minsheng.report.d": "from minsheng.report.a import x\n",
    }
    found = circles(module_graph(sources))
    assert found == [["minsheng.report.a", "minsheng.report.b", "minsheng.report.c",
                      "minsheng.report.a"]]  # fmt: skip
