"""The layers stay honest: the domain needs neither Flask nor SQLAlchemy, the
``events`` and ``web`` packages are this repository's (PyPI has unrelated ones), and
every import, read from the source (at module level, inside functions and under
``TYPE_CHECKING``), points one way with no circles:

- ``cli``, ``web`` → ``events`` → ``workflow``; ``web`` never imports ``cli``, and
  ``cli`` imports ``web`` only in ``cli/serve.py`` (``nhiemvu serve``);
- inside ``events``, down the order of ``events/__init__.py``, each sub-package only
  what its own docstring names (``May import: …``).

Each rule is a function over a list of ``Import`` and is also fed a small made-up
list that breaks it, so a rule that could never fail would be seen.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import workflow

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("workflow", "events", "cli", "web")


def _run(code: str, cwd: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_every_workflow_module_imports_without_flask_or_sqlalchemy(tmp_path):
    modules = sorted(m.name for m in pkgutil.walk_packages(workflow.__path__, "workflow."))
    assert {"workflow.application", "workflow.task", "workflow.rules"} <= set(modules)
    loaded = _run(
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n",
        cwd=tmp_path)
    assert "workflow" in loaded
    assert not {"flask", "sqlalchemy", "werkzeug", "jinja2", "psycopg"} & set(loaded)


def test_events_and_web_resolve_to_this_repository_from_anywhere(tmp_path):
    # From another directory, so the current directory on sys.path cannot help:
    # this is how the ``nhiemvu`` command finds its packages.
    found = _run(
        "import importlib.util, json\n"
        "out = {}\n"
        "for name in ('workflow', 'events', 'web', 'cli'):\n"
        "    spec = importlib.util.find_spec(name)\n"
        "    out[name] = list(spec.submodule_search_locations or [])\n"
        "print(json.dumps(out))\n",
        cwd=tmp_path)
    for name in ("workflow", "events", "web", "cli"):
        directories = [Path(p).resolve() for p in found[name] if Path(p).is_dir()]
        assert directories == [REPO / name], (name, found[name])


def test_events_and_web_in_this_process_are_this_repositorys():
    import events.system

    assert Path(events.system.__file__).resolve() == REPO / "events" / "system.py"
    web = importlib.util.find_spec("web")  # found, not imported: no Flask here
    assert [Path(p).resolve() for p in web.submodule_search_locations] == [REPO / "web"]


# --- Reading the imports ------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """``source`` imports ``target`` (dotted names; a package's ``__init__`` counts as
    the package), at ``file``:``line``, at import time (``module``), when a function
    runs (``function``) or only for type hints (``type_checking``)."""

    source: str
    target: str
    file: str
    line: int
    kind: str = "module"

    def __str__(self) -> str:
        where = {"module": "", "function": " (inside a function)",
                 "type_checking": " (under TYPE_CHECKING)"}[self.kind]
        return f"{self.file}:{self.line} imports {self.target}{where}"


def modules(root: Path) -> dict[str, Path]:
    """Every module of the four packages under ``root``, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(nodes: Iterable[ast.AST], kind: str) -> Iterator[tuple[ast.AST, str]]:
    for node in nodes:
        if isinstance(node, ast.If) and _type_checking(node.test):
            yield from _walk(node.body, "type_checking")
            yield from _walk(node.orelse, kind)
            continue
        if kind == "module" and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            kind_inside = "function"
        else:
            kind_inside = kind
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, kind
        yield from _walk(ast.iter_child_nodes(node), kind_inside)


def read_imports(root: Path) -> list[Import]:
    """Every import statement of every module under ``root``, wherever it stands."""
    known = modules(root)
    found = []
    for name, path in known.items():
        file = path.relative_to(root).as_posix()
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node, kind in _walk(ast.parse(path.read_text(), file).body, "module"):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    base = ".".join(package[:len(package) - node.level + 1]
                                    + ([node.module] if node.module else []))
                # ``from a import b`` imports the module ``a.b`` if there is one.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known
                           else base for alias in node.names]
            found += [Import(name, target, file, node.lineno, kind) for target in targets]
    return found


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return read_imports(REPO)


# --- The rules ------------------------------------------------------------------------

# What a top-level package must never import, at any depth (third-party names too).
NEVER = {
    "workflow": {"events", "cli", "web", "flask", "sqlalchemy", "werkzeug", "jinja2",
                 "psycopg"},
    "events": {"cli", "web"},
    "web": {"cli"},
    "cli": set(),
}
# ``nhiemvu serve`` starts the web app: the one way from ``cli`` to ``web``.
CLI_TO_WEB = "cli.serve"

# events/__init__.py: "in the order processes, demo, exports → system → queries →
# readmodels → log → sql → settings"; a sub-package only imports those below its own tier.
EVENTS_ORDER = (("processes", "demo", "exports"), ("system",), ("queries",), ("readmodels",),
                ("log",), ("sql",), ("settings",))
# Each sub-package's docstring (``May import: …``); system.py says "every sub-package"
# and readmodels names none: for both, everything below them.
EVENTS_MAY_IMPORT = {
    "processes": {"system", "queries", "readmodels", "log"},
    "demo": {"system", "log"},
    "exports": {"queries"},
    "system": {"queries", "readmodels", "log", "sql", "settings"},
    "queries": {"readmodels", "log"},
    "readmodels": {"log", "sql", "settings"},
    "log": {"sql", "settings"},
    "sql": set(),
    "settings": set(),
}
# events/queries/__init__.py: "Never events.system at run time (only for type hints)".
FOR_TYPE_HINTS_ONLY = {("queries", "system")}


def _tier(sub_package: str) -> int:
    return next(n for n, tier in enumerate(EVENTS_ORDER) if sub_package in tier)


def wrong_way(imports: Iterable[Import]) -> list[str]:
    """An import that goes up the layers: cli, web → events → workflow."""
    problems = []
    for i in imports:
        layer, to = i.source.split(".")[0], i.target.split(".")[0]
        if to in NEVER[layer]:
            problems.append(f"{i}: {layer} never imports {to}")
        elif layer == "cli" and to == "web" and i.source != CLI_TO_WEB:
            problems.append(f"{i}: cli imports web only in {CLI_TO_WEB}")
    return problems


def out_of_order(imports: Iterable[Import]) -> list[str]:
    """An import between sub-packages of ``events`` that the order does not allow."""
    problems = []
    for i in imports:
        source, target = i.source.split("."), i.target.split(".")
        if source[0] != "events" or target[0] != "events" or len(source) < 2 \
                or len(target) < 2 or source[1] == target[1]:
            continue
        upper, lower = source[1], target[1]
        unplaced = sorted({upper, lower} - set(EVENTS_MAY_IMPORT))
        if unplaced:
            problems.append(f"{i}: events.{unplaced[0]} has no place in the order of "
                            "events/__init__.py")
        elif (upper, lower) in FOR_TYPE_HINTS_ONLY:
            if i.kind != "type_checking":
                problems.append(f"{i}: events.{upper} imports events.{lower} only "
                                "under TYPE_CHECKING, for type hints")
        elif lower not in EVENTS_MAY_IMPORT[upper]:
            allowed = ", ".join(f"events.{p}" for p in sorted(EVENTS_MAY_IMPORT[upper]))
            problems.append(f"{i}: events.{upper} may import {allowed or 'no other part'}"
                            f" of events, not events.{lower}")
    return problems


def circles(imports: Iterable[Import]) -> list[str]:
    """Each group of modules that import each other round (Tarjan's strongly connected
    components), shown as one circle through it, import by import."""
    edges: dict[str, dict[str, Import]] = {}
    for i in imports:
        edges.setdefault(i.source, {}).setdefault(i.target, i)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # recursion: the graph is a few hundred modules
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges.get(node, {}):
                groups.append(group)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [" → ".join(str(i) for i in _circle_through(min(g), g, edges))
            for g in groups]


def _circle_through(start: str, group: set[str],
                    edges: dict[str, dict[str, Import]]) -> list[Import]:
    # Breadth first from ``start`` back to it, inside the group: the shortest circle.
    paths: dict[str, list[Import]] = {start: []}
    queue = [start]
    for node in queue:
        for nxt, i in sorted(edges.get(node, {}).items()):
            if nxt == start:
                return paths[node] + [i]
            if nxt in group and nxt not in paths:
                paths[nxt] = paths[node] + [i]
                queue.append(nxt)
    raise AssertionError(f"no circle through {start}")


# --- This repository keeps them --------------------------------------------------------


def test_every_module_of_the_four_packages_is_read_with_all_three_kinds_of_import(imports):
    read = {i.source.split(".")[0] for i in imports}
    assert read == set(PACKAGES)
    kinds = {i.kind for i in imports}
    assert kinds == {"module", "function", "type_checking"}, kinds


def test_imports_go_down_the_layers_and_cli_reaches_web_only_to_serve(imports):
    problems = wrong_way(imports)
    assert not problems, "\n".join(problems)


def test_events_sub_packages_import_only_what_their_order_allows(imports):
    problems = out_of_order(imports)
    assert not problems, "\n".join(problems)


def test_no_modules_import_each_other_round_even_for_type_hints(imports):
    found = circles(imports)
    assert not found, "\n".join(found)


def test_what_each_events_sub_package_may_import_lies_below_it_in_the_order():
    assert set(EVENTS_MAY_IMPORT) == {p for tier in EVENTS_ORDER for p in tier}
    for source, targets in EVENTS_MAY_IMPORT.items():
        assert all(_tier(t) > _tier(source) for t in targets), source
    assert all(_tier(t) < _tier(s) for s, t in FOR_TYPE_HINTS_ONLY)


# --- And each rule can fail -----------------------------------------------------------


def _edge(source: str, target: str, kind: str = "module") -> Import:
    return Import(source, target, source.replace(".", "/") + ".py", 7, kind)


@pytest.mark.parametrize(("edge", "complaint"), [
    (_edge("workflow.task", "events.system", "function"),
     "workflow/task.py:7 imports events.system (inside a function): workflow never"),
    (_edge("workflow.rules", "sqlalchemy.engine"), "workflow never imports sqlalchemy"),
    (_edge("events.queries.tasks", "web.hx", "type_checking"),
     "events/queries/tasks.py:7 imports web.hx (under TYPE_CHECKING): events never"),
    (_edge("events.system", "cli.runtime"), "events never imports cli"),
    (_edge("web.tasks", "cli.output"), "web/tasks.py:7 imports cli.output: web never"),
    (_edge("cli.admin", "web.storage", "function"),
     "cli/admin.py:7 imports web.storage (inside a function): cli imports web only in"),
])
def test_an_import_up_the_layers_is_named_with_its_file_and_line(edge, complaint):
    problems = wrong_way([edge])
    assert len(problems) == 1 and complaint in problems[0], problems


@pytest.mark.parametrize("edge", [
    _edge("cli.serve", "web", "function"), _edge("cli.admin", "events.system"),
    _edge("web.tasks", "events.queries"), _edge("events.system", "workflow.application"),
])
def test_an_import_down_the_layers_passes(edge):
    assert wrong_way([edge]) == []


@pytest.mark.parametrize(("edge", "complaint"), [
    (_edge("events.queries.tasks", "events.system"),
     "events/queries/tasks.py:7 imports events.system: events.queries imports "
     "events.system only under TYPE_CHECKING"),
    (_edge("events.queries.tasks", "events.system", "function"), "only under TYPE_CHECKING"),
    (_edge("events.readmodels.board", "events.queries", "type_checking"),
     "events/readmodels/board.py:7 imports events.queries (under TYPE_CHECKING): "
     "events.readmodels may import events.log, events.settings, events.sql of events, not "
     "events.queries"),
    (_edge("events.log.damage", "events.readmodels.tables"),
     "events.log may import events.settings, events.sql of events, not events.readmodels"),
    (_edge("events.sql.compiled", "events.log.records"),
     "events.sql may import no other part of events, not events.log"),
    (_edge("events.settings", "events.log"),
     "events.settings may import no other part of events, not events.log"),
    (_edge("events.processes.sweep", "events.demo.sample"), "not events.demo"),
    (_edge("events.demo.sample", "events.queries"), "not events.queries"),
    (_edge("events.system", "events.processes.sweep", "function"), "not events.processes"),
    (_edge("events.reports.weekly", "events.queries"),
     "events/reports/weekly.py:7 imports events.queries: events.reports has no place in "
     "the order of events/__init__.py"),
])
def test_an_import_against_the_events_order_is_named_with_its_file_and_line(edge, complaint):
    problems = out_of_order([edge])
    assert len(problems) == 1 and complaint in problems[0], problems


@pytest.mark.parametrize("edge", [
    _edge("events.queries.tasks", "events.system", "type_checking"),
    _edge("events.queries.tasks", "events.readmodels.tables"),
    _edge("events.queries.tasks", "events.queries.reading"),
    _edge("events.processes.sweep", "events.system"),
    _edge("events.demo.sample", "events.log.evidence_files"),
    _edge("events.system", "events.settings"), _edge("events.log.damage", "workflow.task"),
])
def test_an_import_down_the_events_order_passes(edge):
    assert out_of_order([edge]) == []


@pytest.mark.parametrize(("edges", "circle"), [
    ([_edge("events.a", "events.b"), _edge("events.b", "events.a", "type_checking")],
     "events/a.py:7 imports events.b → events/b.py:7 imports events.a (under TYPE_CHECKING)"),
    ([_edge("web.x", "web.y"), _edge("web.y", "web.z"), _edge("web.z", "web.x", "function"),
      _edge("web.z", "web.q")],
     "web/x.py:7 imports web.y → web/y.py:7 imports web.z → web/z.py:7 imports web.x"
     " (inside a function)"),
    ([_edge("cli.admin", "cli.runtime"), _edge("cli.runtime", "cli.output"),
      _edge("cli.output", "cli.runtime")],
     "cli/output.py:7 imports cli.runtime → cli/runtime.py:7 imports cli.output"),
    ([_edge("workflow.task", "workflow.task")], "workflow/task.py:7 imports workflow.task"),
], ids=["two, one for type hints", "three, one in a function", "beside the way in",
        "itself"])
def test_a_circle_is_shown_import_by_import(edges, circle):
    assert circles(edges) == [circle]


def test_a_chain_without_a_circle_passes():
    assert circles([_edge("cli.a", "events.b"), _edge("events.b", "workflow.c"),
                    _edge("cli.a", "workflow.c")]) == []


def test_imports_inside_functions_and_under_type_checking_are_read(tmp_path):
    package = tmp_path / "workflow"
    package.mkdir()
    (package / "__init__.py").write_text("from . import task\n")
    (package / "task.py").write_text(
        "import typing\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from events.system import System\n"
        "if typing.TYPE_CHECKING:\n"
        "    import web.hx\n"
        "else:\n"
        "    from . import rules\n"
        "class Task:\n"
        "    def save(self):\n"
        "        import cli.runtime\n"
        # plan_file is no module here: a name of the package, so an import of it.
        "from workflow import rules as r, plan_file\n")
    (package / "rules.py").write_text("def load():\n    from workflow.task import Task\n")
    found = {(i.source, i.target, i.line, i.kind) for i in read_imports(tmp_path)
             if i.target.split(".")[0] in PACKAGES}
    assert found == {
        ("workflow", "workflow.task", 1, "module"),
        ("workflow.task", "events.system", 4, "type_checking"),
        ("workflow.task", "web.hx", 6, "type_checking"),
        ("workflow.task", "workflow.rules", 8, "module"),
        ("workflow.task", "cli.runtime", 11, "function"),
        ("workflow.task", "workflow.rules", 12, "module"),
        ("workflow.task", "workflow", 12, "module"),
        ("workflow.rules", "workflow.task", 2, "function"),
    }
    assert [p.split(": ")[0] for p in wrong_way(read_imports(tmp_path))] == [
        "workflow/task.py:4 imports events.system (under TYPE_CHECKING)",
        "workflow/task.py:6 imports web.hx (under TYPE_CHECKING)",
        "workflow/task.py:11 imports cli.runtime (inside a function)",
    ]
    # The package's __init__ counts as the package: importing it from task is a circle.
    assert circles(read_imports(tmp_path)) == [
        "workflow/__init__.py:1 imports workflow.task → workflow/task.py:12 imports workflow"]
