"""Time the web app server-side on a big store: dashboard, task list, task page, and a
status-change POST (report) including the projections' catch-up; and the JSON API's
answers to the same questions, with a bearer token, side by side.

Requests go through the Flask test client (the whole app: sign-in check, CSRF, the
service, the read models, templates, gzip) without a network in between.

    .venv/bin/python bench/generate.py --tasks 100000 --database sqlite:////tmp/web.sqlite3
    .venv/bin/python bench/web_pages.py --database sqlite:////tmp/web.sqlite3
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

from bench.generate import PASSWORD  # noqa: E402
from events import queries  # noqa: E402
from web import create_app, storage  # noqa: E402
from workflow.clock import FixedClock  # noqa: E402

# The day the read-model benchmark looks from (bench/read_models.py): mid-plan.
NOW = datetime(2025, 6, 1, 2, 0, tzinfo=UTC)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def signed_in(app, username: str):
    client = app.test_client()
    page = client.get("/sign-in")
    token = TOKEN.search(page.text).group(1)
    response = client.post("/sign-in", data={"username": username, "password": PASSWORD,
                                             "csrf_token": token})
    assert response.status_code == 303, f"cannot sign in as {username}"
    # Signing in starts a new session, with a new CSRF token.
    return client, TOKEN.search(client.get("/sign-in").text).group(1)


def ok(response) -> None:
    # A page, not a redirect: a 303 would be to the sign-in page, or "/" to another.
    assert response.status_code == 200, response.status_code
    response.close()


# The pages timed, by key (bench/growth.py uses the keys), with their names here.
PAGES = {
    "dashboard": "dashboard (/overview)",
    "task_list": "task list (/tasks/?unit=&state=)",
    "task_search": "task list, search (htmx fragment)",
    "task_page": "task page (/tasks/<id>)",
    "audit": "audit log (/audit/)",
}


def page_requests(client, rng: random.Random, units: list[str],
                  sample: list) -> dict[str, Callable[[], None]]:
    """One request of each page in ``PAGES`` by a signed-in ``client``; the unit of a
    list and the task of a task page are drawn from ``units`` and ``sample``."""
    gzip = {"Accept-Encoding": "gzip"}

    def task_list() -> None:
        unit = rng.choice(units)
        ok(client.get(f"/tasks/?unit={unit}&state=in_progress", headers=gzip))

    return {
        # Not "/": it only redirects a leader here.
        "dashboard": lambda: ok(client.get("/overview", headers=gzip)),
        "task_list": task_list,
        "task_search": lambda: ok(client.get(
            "/tasks/?q=so+hoa+ho+so", headers={**gzip, "HX-Request": "true"})),
        "task_page": lambda: ok(client.get(f"/tasks/{rng.choice(sample)}", headers=gzip)),
        "audit": lambda: ok(client.get("/audit/", headers=gzip)),
    }


def api_requests(app, store, rng: random.Random, units: list[str],
                 sample: list) -> dict[str, Callable[[], None]]:
    """The JSON API's counterparts of ``page_requests``, as the leader's token."""
    client = app.test_client()
    token = store.service.create_token("lead", "benchmark")
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}

    def get(path: str) -> None:
        ok(client.get("/api/v1" + path, headers=headers))

    return {
        "API summary (/api/v1/summary)": lambda: get("/summary"),
        "API task list (/api/v1/tasks?unit=&state=)": lambda: get(
            f"/tasks?unit={rng.choice(units)}&state=in_progress"),
        "API task (/api/v1/tasks/<id>)": lambda: get(f"/tasks/{rng.choice(sample)}"),
        "API audit log (/api/v1/audit)": lambda: get("/audit"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true",
                        help="rebuild the projections first (a fresh generate.py store)")
    args = parser.parse_args()
    rng = random.Random(11)
    instance = tempfile.mkdtemp(prefix="nhiemvu-web-bench-")
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": args.database,
                      "CLOCK": FixedClock(NOW), "INSTANCE_PATH": instance})
    store = app.extensions[storage.KEY].get()
    if args.rebuild:
        store.projections.rebuild()
    units = [u["code"] for u in queries.units(store)]
    leader, _ = signed_in(app, "lead")
    sample = [row["id"] for row in queries.board(store, limit=500).rows]
    requests = page_requests(leader, rng, units, sample)
    results = {PAGES[name]: timed(request, args.runs) for name, request in requests.items()}
    results.update({name: timed(request, args.runs) for name, request
                    in api_requests(app, store, rng, units, sample).items()})

    # A status change: unit heads report on in-progress tasks of their unit.
    posts: list[float] = []
    per_unit = max(1, args.runs // len(units))
    for unit in units:
        open_tasks = queries.board(store, state="in_progress", unit=unit, limit=per_unit).rows
        if not open_tasks:
            continue
        head, token = signed_in(app, f"head_{unit.lower()}")
        for row in open_tasks:
            started = time.perf_counter()
            response = head.post(f"/tasks/{row['id']}/report", data={
                "csrf_token": token, "version": str(row["version"]),
                "summary": "Báo cáo kết quả (benchmark)"})
            posts.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 303, re.findall(r"<p>([^<]*)</p>", response.text)
            response.close()
    results["report on a task (POST, state change, incl. projections)"] = posts
    storage.close(app)

    print(f"\n{platform.node()} · {platform.processor() or platform.machine()} · "
          f"{os.cpu_count()} cores · Python {platform.python_version()} · "
          f"{store.engine.dialect.name} · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("| request | n | p50 ms | p95 ms | mean ms |\n|---|---|---|---|---|")
    for name, samples in results.items():
        print(f"| {name} | {len(samples)} | {percentile(samples, 50):.1f} | "
              f"{percentile(samples, 95):.1f} | {statistics.fmean(samples):.1f} |")


if __name__ == "__main__":
    main()
