"""The sealed log's figures: sealing the log, verifying it, sealing per command, and
the backup round trip (export, import).

    .venv/bin/python bench/sealed_log.py --database sqlite:///bench.sqlite3

On a store made by ``bench/generate.py`` (its read models not built yet, or built):

1. seal: catching every read model up from wherever it is (the whole log on a new
   store), then rebuilding the seal alone (``projections rebuild seal``);
2. verify: ``events.queries.seal.verify`` over every event, events/s;
3. per command: ``--commands`` progress notes through the service; for each, the
   time of the whole catch-up and the part spent in the seal's ``apply`` (timed
   around the method, in this process only), medians;
4. backup: ``nhiemvu export`` then ``nhiemvu import`` into an empty SQLite store in
   this script's temporary folder, events/s each (``--no-backup`` skips it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("NHIEMVU_PASSWORD_PROFILE", "fast")

from bench.read_models import time_views  # noqa: E402
from events.queries import seal as seal_queries  # noqa: E402
from events.system import System  # noqa: E402


def sealed_count(store: System) -> int:
    return seal_queries.seal_size(store)


def _timed_apply(projection, spent: list[float]) -> None:
    original = projection.apply

    def apply(conn, events):
        start = time.perf_counter()
        try:
            return original(conn, events)
        finally:
            spent.append(time.perf_counter() - start)

    projection.apply = apply


def per_command(store: System, commands: int) -> dict[str, float]:
    from events import queries

    rows = queries.board(store, state="in_progress", limit=200).rows
    if not rows:
        raise SystemExit("no task in progress to note progress on")
    seal = store.projections.by_name["seal"]
    spent: list[float] = []
    _timed_apply(seal, spent)
    catch_ups = time_views(store)
    for n in range(commands):
        row = rows[n % len(rows)]
        head = f"head_{row['unit'].lower()}"
        store.service.note_progress(head, row["id"], f"Ghi nhận {n}", percent=n % 100)
    return {"catch-up p50 ms": statistics.median(catch_ups),
            "seal apply p50 ms": statistics.median(spent) * 1000,
            "seal apply p90 ms": statistics.quantiles(spent, n=10)[-1] * 1000}


def backup(store: System, folder: Path) -> dict[str, float]:
    from events.processes import backup as backups

    events = store.projections.head()
    target = folder / "backup.jsonl.gz"
    start = time.perf_counter()
    backups.export(store, target)
    exported = time.perf_counter() - start
    with System(f"sqlite:///{folder / 'restored.sqlite3'}") as restored:
        start = time.perf_counter()
        backups.import_file(restored, target)
        imported = time.perf_counter() - start
    return {"export events/s": events / exported, "export s": exported,
            "import events/s (incl. read models)": events / imported, "import s": imported}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--no-backup", action="store_true")
    args = parser.parse_args()
    with System(args.database) as store:
        start = time.perf_counter()
        sealed = store.projections.catch_up()
        took = time.perf_counter() - start
        print(f"catch-up (incl. seal) : {sealed} events in {took:.1f} s")
        start = time.perf_counter()
        store.projections.rebuild("seal")
        took = time.perf_counter() - start
        print(f"seal alone, rebuilt   : {sealed_count(store)} events in {took:.1f} s, "
              f"{sealed_count(store) / took:,.0f} events/s")
        start = time.perf_counter()
        result = seal_queries.verify(store)
        took = time.perf_counter() - start
        print(f"verify                : {result['checked']} events in {took:.2f} s, "
              f"{result['checked'] / took:,.0f} events/s, intact={result['intact']}")
        for name, value in per_command(store, args.commands).items():
            print(f"per command, {name:<16}: {value:.3f}")
        if not args.no_backup:
            with tempfile.TemporaryDirectory() as folder:
                for name, value in backup(store, Path(folder)).items():
                    print(f"backup, {name:<36}: {value:,.1f}")


if __name__ == "__main__":
    main()
