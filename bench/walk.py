"""The walk of one command through the house: which of our files a report submitted
from the web passes, in order, and how many hops (moves from one file to another).

    .venv/bin/python bench/walk.py            # the summary: files and hops
    .venv/bin/python bench/walk.py --list     # every file, in the order first entered
    .venv/bin/python bench/walk.py --repo ../old-checkout   # the same walk elsewhere

It runs the real thing: a SQLite store in a temporary folder, a unit head signed in
through the sign-in form, a task of theirs in progress, then ``POST
/tasks/<id>/report`` with a summary and a link, traced with ``sys.setprofile``. Only
calls into this repository's packages count (library code is passed through), and
the count starts at the request and ends with its response. docs/architecture.md
quotes the figures.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent  # --repo: another checkout, for comparing
PACKAGES = ("workflow", "events", "web", "cli")
PASSWORD = "bench-walk-password"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _ours(filename: str) -> str | None:
    try:
        relative = Path(filename).resolve().relative_to(REPO)
    except ValueError:
        return None
    return str(relative) if relative.parts[0] in PACKAGES else None


def trace(run) -> list[str]:
    """The files of ours entered while ``run()`` runs, one entry per hop."""
    route: list[str] = []

    def profile(frame, event, _arg):
        if event != "call":
            return
        here = _ours(frame.f_code.co_filename)
        if here is not None and (not route or route[-1] != here):
            route.append(here)

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return route


def _token(html: str) -> str:
    found = _TOKEN.search(html)
    if not found:
        raise SystemExit("the page has no CSRF token")
    return found.group(1)


def main() -> None:
    global REPO
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every file entered")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout to walk")
    shown = parser.parse_args()
    REPO = shown.repo.resolve()
    sys.path.insert(0, str(REPO))
    from web import create_app, storage

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "walk", "INSTANCE_PATH": folder,
                          "DATABASE_URL": f"sqlite:///{folder}/walk.sqlite3"})
        with app.app_context():
            svc = storage.service()
            svc.add_unit("VP", "Văn phòng UBND xã", "office")
            svc.add_user("lanhdao", "leader", PASSWORD)
            svc.add_user("truongvp", "unit_head", PASSWORD, unit="VP")
            task_id = svc.assign_task("lanhdao", unit="VP", deadline=date(2030, 3, 31),
                                      title="Số hóa hồ sơ công việc")
            svc.start_task("truongvp", task_id)
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        client.post("/sign-in", data={"username": "truongvp", "password": PASSWORD,
                                    "csrf_token": _token(page)})
        form = client.get(f"/tasks/{task_id}").get_data(as_text=True)
        data = {"csrf_token": _token(form), "summary": "Đã số hóa 100% hồ sơ",
                "links": "https://example.org/bao-cao"}
        answers = []
        route = trace(lambda: answers.append(
            client.post(f"/tasks/{task_id}/report", data=data)))
        storage.close(app)
    if answers[0].status_code not in (200, 302, 303):
        raise SystemExit(f"the report was refused: {answers[0].status_code}")
    files = list(dict.fromkeys(route))
    print(f"{len(route) - 1} hops through {len(files)} files")
    if shown.list:
        for name in files:
            print(" ", name)


if __name__ == "__main__":
    main()
