# Warta: `make run` to try it, `make test` to check it. Each target sets up what it needs.
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# Some images turn Python's bytecode cache off; without it every run compiles ~600 modules again.
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help
.PHONY: help install chromium nginx wrk run test test-unit lint bench compose-check clean translations

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip uv
	$(VENV)/bin/uv pip install --quiet --python $(PYTHON) -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(INSTALLED) ## Create the virtualenv and install every part (pinned)

run: install ## Run the whole system locally with the demo reports (Ctrl-C stops it)
	$(VENV)/bin/warta up

test: install chromium nginx ## Run every test: unit, integration (real Redis, workers, databases), e2e, browser
	$(VENV)/bin/pytest

# The ingest benchmark loads the API with Debian's wrk from a second process.
wrk:
	@command -v wrk >/dev/null || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }

# The edge's tests and benchmark run Debian's nginx with services/edge's configuration, each
# an nginx of its own on a free port; the tests' stand-in image host makes its certificate
# with openssl.
nginx:
	@command -v nginx >/dev/null && command -v openssl >/dev/null || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx openssl; }

# The browser tests drive Debian's Chromium (Playwright cannot download a browser here).
chromium:
	@command -v chromium >/dev/null || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; }

# The same tests `make test` runs, with fewer examples per property (tests/conftest.py) and
# without the API fuzzer's plugin, which only the integration suite uses.
test-unit: install ## The fast tests alone: no processes, no servers (seconds)
	$(VENV)/bin/pytest tests/unit --hypothesis-profile=quick -p no:schemathesis

lint: install ## ruff, formatting, mypy and a dependency audit
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pip-audit --progress-spinner off --skip-editable

bench: install wrk nginx ## Every benchmark, one after another; figures go to docs/benchmarks.md by hand
	$(PYTHON) bench/quality.py
	$(PYTHON) bench/normalise_tag.py
	$(PYTHON) bench/render_pages.py
	$(PYTHON) bench/ingest.py --seconds 15
	$(PYTHON) bench/ingest_floor.py
	$(PYTHON) bench/feeds.py
	$(PYTHON) bench/edge.py
	$(PYTHON) bench/media.py
	$(PYTHON) bench/desk.py
	$(PYTHON) bench/pipeline.py --reports 5000 --workers-per-stage 1 2 --postgres
	$(PYTHON) bench/pipeline.py --rate 50 --duration 60 --workers-per-stage 1 --postgres --ceiling 0

# Needs docker with `docker compose`; on our machines, the stand-in images first:
# `bash ops/compose-offline/prepare.sh && source /tmp/compose-offline/env.sh`.
compose-check: install ## Bring the compose stack up, kill a worker and Redis mid-batch, count, tear down
	$(PYTHON) ops/compose_check.py

clean: ## Remove the virtualenv and the local run's data
	rm -rf $(VENV) var

DESK := services/ingest/warta_ingest/desk
translations: install ## The desk's words: extract them, update the Indonesian catalogue, compile it
	mkdir -p var
	$(VENV)/bin/pybabel extract -F $(DESK)/babel.cfg -k _l -k _ --no-location --sort-output \
	  -o var/desk-messages.pot $(DESK)
	$(VENV)/bin/pybabel update -i var/desk-messages.pot -d $(DESK)/translations -l id \
	  --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile -d $(DESK)/translations -l id --statistics
