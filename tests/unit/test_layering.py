"""The layers stay honest: the domain needs neither Flask nor SQLAlchemy, and the
``events`` and ``web`` packages are this repository's (PyPI has unrelated ones)."""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import workflow

REPO = Path(__file__).resolve().parents[2]


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
