# The two commands a newcomer needs: `make run` builds the warehouse, `make test` runs the tests.
# Both create .venv and install everything (Python packages and the few system packages) first.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DB     ?= warehouse/budget.duckdb
CORPUS ?= data/samples

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup system-deps bench clean

run: setup
	$(VENV)/bin/budgetwh refresh --corpus $(CORPUS) --db $(DB)

test: setup
	$(VENV)/bin/pytest -q

# The project's own modules compiled to bytecode once here: PYTHONDONTWRITEBYTECODE (set above, and
# in some environments) stops Python from caching them, and every process (the CLI, each parser
# worker, the checks) would compile them from source again (~0.06 s each; a stale file is
# recompiled in memory, so this only saves time).
setup: system-deps $(STAMP)
	@$(PY) -m compileall -q -j 0 ingest expectations >/dev/null

system-deps:
	@bash scripts/install_system_deps.sh

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,notebooks]'
	@touch $(STAMP)

bench: setup
	$(PY) benchmarks/bench_pdf_reader.py

clean:
	rm -rf warehouse dbt_project/target dbt_project/logs
