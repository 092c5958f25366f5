# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint bench translations clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# axe-core for the accessibility tests, where npm exists (without it they skip, except in CI).
install: $(STAMP)
	@if command -v npm >/dev/null; then npm install --no-audit --no-fund --silent; fi

# Demo accounts all get this password (a local demo only: never on a real store).
DEMO_PASSWORD ?= thanhhuong2025
HOST ?= 127.0.0.1
PORT ?= 5000

# Runs the app on the embedded SQLite store under ./instance, with demo data.
run: $(STAMP)
	$(BIN)/nhiemvu init
	$(BIN)/nhiemvu demo --if-empty --password '$(DEMO_PASSWORD)'
	$(BIN)/nhiemvu user list
	@echo "Mật khẩu của mọi tài khoản mẫu: $(DEMO_PASSWORD)"
	$(BIN)/nhiemvu serve --host $(HOST) --port $(PORT)

# The whole suite: SQLite and PostgreSQL (127.0.0.1:5432, trust auth, database `test`),
# with branch coverage; under the floor in pyproject.toml ([tool.coverage.report]) it fails.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest --cov -n auto

# The benchmarks at small sizes (a few minutes on 2 cores), figures to stdout: a check
# that every script still runs, not the published figures (docs/performance.md has
# those, with their larger sizes). store_writes.py and commands.py also need PostgreSQL
# as for `test`, and the `bench` extra; load.py needs wrk (the Debian package). Every
# file goes to one temporary folder, removed at the end.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	@set -e; dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; export TMPDIR="$$dir"; \
	for step in \
	  "generate.py --tasks 3000 --database sqlite:///$$dir/board.sqlite3" \
	  "read_models.py --database sqlite:///$$dir/board.sqlite3 --runs 100 --commands 100" \
	  "web_pages.py --database sqlite:///$$dir/board.sqlite3 --runs 30" \
	  "sealed_log.py --database sqlite:///$$dir/board.sqlite3 --commands 50" \
	  "bench_alerts.py --tasks 5000 --database sqlite:///$$dir/alerts.sqlite3" \
	  "store_writes.py --tasks 100" \
	  "commands.py --rounds 4 --per-round 10 --out $$dir/commands.json" \
	  "command_floor.py --rounds 2 --per-round 5 --out $$dir/command_floor.json" \
	  "load.py --scenario sqlite_single --tasks 3000 --duration 3 --warmup 1 --runs 1 --connections 8 --out $$dir/load.json" \
	  "growth.py --sizes 1000,3000 --runs 3 --commands 10 --clients 1,2 --per-client 3 --output $$dir/growth.json" \
	  "plot_growth.py --input $$dir/growth.json --output $$dir/growth.png" \
	  "walk.py"; do \
	  echo; echo "## bench/$$step" | sed "s|$$dir|\$$TMPDIR|g"; \
	  $(BIN)/python bench/$$step; \
	done

# Re-extract every user-facing text into the one catalogue, merge, compile.
BABEL_KEYWORDS := -k lazy_gettext -k N_ -k NP_:1c,2 -k lazy -k translate
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --omit-header \
	  -o workflow/translations/messages.pot .
	$(BIN)/pybabel update -N -i workflow/translations/messages.pot -d workflow/translations
	$(BIN)/pybabel compile -d workflow/translations

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
