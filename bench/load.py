"""Load test: a mixed workload through real HTTP against `nhiemvu serve`, with wrk.

Two scenarios, each on a store seeded by ``bench/generate.py`` (read models rebuilt):

- ``postgresql_workers_4``: ``nhiemvu serve --workers 4`` (gunicorn) on PostgreSQL, by
  default a temporary database made beside ``test`` and dropped at the end;
- ``sqlite_single``: one process (``nhiemvu serve --workers 1``, waitress, as plain
  ``serve`` is on SQLite) on a SQLite file.

The mix (``bench/load.lua``), out of every 20 requests: 4 chairman's overviews
(``/overview``), 5 filtered lists (``/tasks/?state=in_progress&unit=…``), 5 task pages,
4 audit pages (``/audit/``) and 2 progress notes posted as the task page's htmx form
does (CSRF token, no version: repeatable). That is 90 % pages, 10 % state changes.
Every session is a unit head's, signed in beforehand over HTTP (one sign-in per
session, under the sign-in rate limit of 10 a minute per name and address); each
notes only on its own unit's in-progress tasks, so no two sessions write to one task.
There is one session per connection, and by default one wrk thread per connection.

The server runs as deployed: the production password profile (generate.py hashes the
bench accounts with the cheapest one, but no password is checked once the timed runs
start), no NHIEMVU_* setting from the caller's environment, and the deadline scheduler
off (NHIEMVU_SCHEDULER=off), so that its first sweep over a store full of overdue
tasks is not measured. Loopback only. Each scenario: a warm-up run, then ``--runs``
measured ones in a row (3), whose medians are its figures, each run's own beside them.
Errors (those of all runs) are every socket error and timeout and every answer other
than 200 (a redirect to sign-in included); the server's log is printed when there are
any.
Peak RSS is the largest VmHWM among the server's worker processes (gunicorn's
workers, not its arbiter; waitress's one process), sampled throughout. The server's
CPU time per request (all its processes, over the measured run) says what serving
under concurrency costs, beside what ``bench/web_pages.py`` measures one at a time.
How the connections lie among the workers (``connections_per_worker``, counted halfway
through each run) says whose the tail is: a kept-alive connection stays with one worker.

    .venv/bin/python bench/load.py                      # both, 30 s each, 32 connections
    .venv/bin/python bench/load.py --scenario sqlite_single --duration 5 --tasks 3000

Writes ``bench/results/load.json`` (``--out``); exits 1 when a scenario had errors.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.generate import PASSWORD, generate  # noqa: E402
from bench.scratch import create_database, drop_database, url_of  # noqa: E402

# name: processes (`serve --workers 1` is waitress, more is gunicorn)
SCENARIOS = {"postgresql_workers_4": 4, "sqlite_single": 1}
USER_AGENT = "nhiemvu-bench-load"  # the same at sign-in and under load (session protection)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
MARK = "NHIEMVU_LOAD "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="measured seconds per scenario")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load before that")
    parser.add_argument("--runs", type=int, default=3,
                        help="measured runs in a row per scenario; figures are their medians")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=None,
                        help="wrk threads (default: one per connection)")
    parser.add_argument("--server-threads", type=int, default=None,
                        help="threads per server process (default: serve's own)")
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks in the seeded store")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), help="run only this one")
    parser.add_argument("--postgres-url", help="an EMPTY PostgreSQL store to use (kept); "
                        "default: a temporary database, dropped after")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load.json")
    args = parser.parse_args()
    threads = args.threads or args.connections
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    if args.connections < 1 or not 1 <= threads <= args.connections:
        sys.exit("--threads must be between 1 and --connections")

    results: dict[str, object] = {
        "machine": f"{platform.node()} · {platform.processor() or platform.machine()} · "
                   f"{os.cpu_count()} cores · Python {platform.python_version()} · "
                   f"{platform.system()} {platform.release()}",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": " ".join(["bench/load.py", *sys.argv[1:]]),
    }
    failed = False
    for name, workers in SCENARIOS.items():
        if args.scenario not in (None, name):
            continue
        with tempfile.TemporaryDirectory(prefix="nhiemvu-load-") as folder:
            figures = scenario(name, workers, Path(folder), args, threads)
        results[name] = figures
        failed = failed or figures["errors"] > 0
        print(f"{name}: {figures['requests_per_s']:.0f} requests/s, "
              f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
              f"{figures['errors']} errors, "
              f"server CPU {figures['server_cpu_ms_per_request']:.1f} ms per request, "
              f"peak RSS {figures['peak_rss_mb_per_worker']:.0f} MB per worker, "
              f"connections per worker {[r['connections_per_worker'] for r in figures['runs']]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {args.out}")
    sys.exit(1 if failed else 0)


def scenario(name: str, workers: int, folder: Path, args, threads: int) -> dict:
    if workers == 1:
        url, dropped = f"sqlite:///{folder / 'load.sqlite3'}", None
    elif args.postgres_url:
        url, dropped = args.postgres_url, None
    else:
        dropped = create_database("nhiemvu_load")
        url = url_of(dropped)
    try:
        print(f"## {name}: seeding {args.tasks} tasks")
        plan = seed(url, args.tasks)
        with Server(url, workers, folder, args.server_threads) as server:
            data = sign_in_all(server.base, plan, args.connections, threads)
            data_file = folder / "sessions.lua"
            data_file.write_text(lua_table(data))
            with RssSampler(server.process.pid) as rss:
                print(f"## {name}: warm-up {args.warmup} s, then {args.duration} s, "
                      f"{args.connections} connections, {threads} threads")
                if args.warmup > 0:
                    run_wrk(server.base, data_file, args.warmup, args.connections, threads)
                runs = []
                for _ in range(max(1, args.runs)):
                    cpu_before = cpu_seconds(server.process.pid)
                    spread = Spread(server.process.pid, server.port, args.duration / 2)
                    with spread:
                        figures = run_wrk(server.base, data_file, args.duration,
                                          args.connections, threads)
                    runs.append({**_run_figures(figures, cpu_seconds(server.process.pid)
                                                - cpu_before),
                                 "connections_per_worker": spread.counts})
                    errors = (figures["socket_errors"] + figures["timeouts"]
                              + figures["unexpected"])
                    if errors:
                        print(f"{name}: {errors} errors; answers other than 200: "
                              f"{figures['statuses']}, saying:\n{figures['said']}\n"
                              "The server's log:", file=sys.stderr)
                        print(server.log_text()[-20_000:], file=sys.stderr)
    finally:
        if dropped:
            drop_database(dropped)

    def median(key: str) -> float:
        return round(statistics.median(run[key] for run in runs), 2)

    return {
        # The median of the runs, one after another on the same server (each run's
        # own figures under "runs"): this machine is shared, and one run's tail moves.
        "requests_per_s": median("requests_per_s"),
        "p50_ms": median("p50_ms"),
        "p99_ms": median("p99_ms"),
        "errors": sum(run["errors"] for run in runs),
        "peak_rss_mb_per_worker": round(rss.peak_mb, 1),
        "server_cpu_ms_per_request": median("server_cpu_ms_per_request"),
        "runs": runs,
        "workers": workers,
        "requests": sum(run["requests"] for run in runs),
        "connections": args.connections,
        "threads": threads,
        "server_threads": args.server_threads,
        "duration_s": args.duration,
        "measured_runs": len(runs),
        "tasks_in_store": args.tasks,
    }


def _run_figures(figures: dict, cpu: float) -> dict:
    seconds = figures["duration_us"] / 1e6
    return {
        "requests_per_s": round(figures["requests"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "errors": figures["socket_errors"] + figures["timeouts"] + figures["unexpected"],
        "requests": figures["requests"],
        # The server's own CPU time (every process) per answer during the run: beside
        # the one-at-a-time figures of bench/web_pages.py, what concurrency costs the
        # server itself rather than what it waits for.
        "server_cpu_ms_per_request": round(cpu * 1000 / max(1, figures["requests"]), 2),
    }


def seed(url: str, tasks: int) -> dict:
    """A generated store with its read models built; what the workload needs of it."""
    from events import queries
    from events.system import System

    generate(url, tasks)
    with System(url) as store:
        store.projections.rebuild()
        units = [unit["code"] for unit in queries.units(store)]
        sample = [str(row["id"]) for row in queries.board(store, limit=500).rows]
        open_tasks = {unit: [str(row["id"]) for row in queries.board(
            store, state="in_progress", unit=unit, limit=500, with_total=False).rows]
            for unit in units}
    return {"units": units, "tasks": sample,
            "open": {unit: ids for unit, ids in open_tasks.items() if ids}}


def sign_in_all(base: str, plan: dict, connections: int, threads: int) -> dict:
    """One signed-in unit head per connection, over the units with work in progress;
    each session gets its own share of its unit's in-progress tasks to note on."""
    units = sorted(plan["open"])
    if not units:
        sys.exit("the store has no task in progress to note on: seed more tasks")
    owners = [units[n % len(units)] for n in range(connections)]
    sessions = []
    for n, unit in enumerate(owners):
        peers = [m for m, other in enumerate(owners) if other == unit]
        share = plan["open"][unit][peers.index(n)::len(peers)] or plan["open"][unit]
        cookie, token = sign_in(base, f"head_{unit.lower()}")
        text = urllib.parse.urlencode({"csrf_token": token,
                                       "text": "Cập nhật tiến độ (kiểm thử tải)"})
        sessions.append({"cookie": cookie, "notes": share, "note_body": f"{text}&percent="})
        _check_session(base, cookie, share[0])
    return {"threads": threads, "user_agent": USER_AGENT, "units": plan["units"],
            "tasks": plan["tasks"], "sessions": sessions}


def sign_in(base: str, username: str) -> tuple[str, str]:
    """Sign in as a person would; the session's cookie header and its CSRF token."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{base}/sign-in", timeout=30).read().decode()
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                   "csrf_token": TOKEN.search(page).group(1)}).encode()
    try:
        with opener.open(f"{base}/sign-in", data=form, timeout=30) as landed:
            path = urllib.parse.urlsplit(landed.url).path
    except urllib.error.HTTPError as refused:
        sys.exit(f"cannot sign in as {username}: HTTP {refused.code}")
    if path == "/sign-in":
        sys.exit(f"cannot sign in as {username}")
    # Signing in starts a new session, with a new CSRF token.
    page = opener.open(f"{base}/overview", timeout=30).read().decode()
    return "; ".join(f"{c.name}={c.value}" for c in jar), TOKEN.search(page).group(1)


def _check_session(base: str, cookie: str, task: str) -> None:
    # The cookie alone, as wrk sends it, must open the task page with its note form.
    request = urllib.request.Request(f"{base}/tasks/{task}",
                                     headers={"Cookie": cookie, "User-Agent": USER_AGENT})
    try:
        with _no_redirects().open(request, timeout=30) as answer:
            page = answer.read().decode()
    except urllib.error.HTTPError as refused:
        sys.exit(f"a signed-in session cannot open task {task}: HTTP {refused.code}")
    if 'id="form-note"' not in page:
        sys.exit(f"a signed-in session cannot note on task {task}")


def _no_redirects() -> urllib.request.OpenerDirector:
    class Refuse(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None  # a redirect is then an HTTPError: the session did not hold

    return urllib.request.build_opener(Refuse)


def lua_table(value) -> str:
    """``value`` as a Lua chunk returning it (strings, numbers, lists, dicts)."""
    def literal(item) -> str:
        if isinstance(item, dict):
            return "{" + ", ".join(f"[{literal(k)}] = {literal(v)}" for k, v in item.items()) + "}"
        if isinstance(item, list):
            return "{" + ", ".join(literal(v) for v in item) + "}"
        if isinstance(item, str):
            # JSON's escapes are Lua's, but for \u: every string here is ASCII.
            assert item.isascii(), item
            return json.dumps(item)
        return str(item)

    return "return " + literal(value) + "\n"


def run_wrk(base: str, data_file: Path, seconds: int, connections: int, threads: int) -> dict:
    command = ["wrk", "--threads", str(threads), "--connections", str(connections),
               "--duration", f"{seconds}s", "--timeout", "10s", "--latency",
               "--script", str(ROOT / "bench" / "load.lua"), base]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "NHIEMVU_LOAD_DATA": str(data_file)})
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            figures = json.loads(line[len(MARK):])
            figures["said"] = done.stderr.strip()
            return figures
    raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")


class Server:
    """``nhiemvu serve`` in its own process group on a free loopback port, its output
    in a log file; stopped (the whole group) on leaving."""

    def __init__(self, url: str, workers: int, folder: Path, threads: int | None = None):
        self.url, self.workers, self.folder, self.threads = url, workers, folder, threads
        self.log = folder / "server.log"

    def __enter__(self) -> Server:
        self.port = port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("NHIEMVU_")}
        env.update(NHIEMVU_DATABASE_URL=self.url, NHIEMVU_SCHEDULER="off",
                   NHIEMVU_INSTANCE=str(self.folder / "instance"))
        command = [sys.executable, "-c", "from cli import main; main()", "serve",
                   "--host", "127.0.0.1", "--port", str(port), "--workers", str(self.workers)]
        if self.threads:
            command += ["--threads", str(self.threads)]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nhiemvu serve exited:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.base}/sign-in", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"nhiemvu serve did not answer in {seconds} s:\n{self.log_text()}")

    def log_text(self) -> str:
        # Without waitress's "Task queue depth" warnings: a busy server's every second.
        lines = self.log.read_text(errors="replace").splitlines(keepends=True)
        return "".join(line for line in lines if "Task queue depth" not in line)

    def __exit__(self, *exc) -> None:
        # The group: gunicorn's workers go with their arbiter even if it hangs.
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


class RssSampler:
    """The largest VmHWM of the server's workers: the leaves of its process tree (the
    gunicorn workers under their arbiter), or the server itself when it has none."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every = pid, every
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def _sample(self) -> None:
        for pid in workers_of(self.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue  # a worker that just exited
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if found:
                self.peak_mb = max(self.peak_mb, int(found.group(1)) / 1024)


class Spread:
    """How the load generator's connections lie among the server's workers, counted
    once, ``after`` seconds into a run: a kept-alive connection stays with the worker
    that accepted it, so a worker holding more of them than the others serves each of
    them more slowly, and the run's tail is theirs. Largest first; ``[]`` if the run
    ended first."""

    def __init__(self, root: int, port: int, after: float):
        self.root, self.port = root, port
        self.counts: list[int] = []
        self._timer = threading.Timer(after, self._count)

    def __enter__(self) -> Spread:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        self._timer.join()

    def _count(self) -> None:
        served = established_sockets(self.port)
        counts = []
        for pid in workers_of(self.root):
            try:
                links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
            except OSError:
                continue  # a worker that just exited
            counts.append(sum(1 for link in links if link in served))
        self.counts = sorted(counts, reverse=True)


def established_sockets(port: int) -> set[str]:
    """The ``socket:[inode]`` names of the established TCP connections whose local
    port is ``port``: the server's side of its clients' connections."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # local address "ADDR:PORT" in hex; state 01 is ESTABLISHED; then the inode.
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                found.add(f"socket:[{fields[9]}]")
    return found


def cpu_seconds(root: int) -> float:
    """User and system CPU time of ``root`` and every process under it, so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in [root, *descendants_of(root)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a worker that just exited
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def descendants_of(root: int) -> list[int]:
    children = _children()
    found, stack = [], [root]
    while stack:
        below = children.get(stack.pop(), [])
        found.extend(below)
        stack.extend(below)
    return found


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The parent is the 2nd field after the command name, which may hold spaces.
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    return children


def workers_of(root: int) -> list[int]:
    children = _children()
    leaves, stack = [], [root]
    while stack:
        pid = stack.pop()
        below = children.get(pid, [])
        if below:
            stack.extend(below)
        elif pid != root:
            leaves.append(pid)
    return leaves or [root]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]




if __name__ == "__main__":
    main()
