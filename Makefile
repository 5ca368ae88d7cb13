# Two commands for a newcomer: `make run` and `make test`. Both need only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test i18n-check lint typecheck imports pytest install clean bench browser i18n i18n-extract i18n-update

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Catalogs are read from the .po files themselves (locales/__init__.py): no compile step.
install: $(STAMP)

run: install
	$(BIN)/intake serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

imports: install
	$(BIN)/lint-imports

# Browser tests drive Debian's Chromium with Playwright (it cannot download its own).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Chromium for the browser tests (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null; \
	  else echo "Chromium is missing: sudo apt-get install chromium (browser tests will skip)"; fi; }

pytest: install browser
	$(BIN)/pytest $(PYTEST_ARGS)

# Translations: every catalog complete and consistent (file, line, message id on a
# problem), and a report of long Dutch sentences.
i18n-check: install
	$(BIN)/python -m locales.check --report

test: lint typecheck imports i18n-check pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Benchmarks (docs/benchmarks.md), about 10 minutes; needs PostgreSQL on 127.0.0.1 for its
# part (TEST_POSTGRES_URL). BENCH_ARGS="--without-1m": no dashboard at 1M rows (-2 min);
# "--both-adapters": the HTTP run with PTB too (+3 min); "--quick": a smoke run.
bench: install
	$(BIN)/python -m pip install --quiet py-spy || echo "no py-spy: the profile uses cProfile"
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Translations (see TRANSLATING.md): extract the source texts, update every catalog,
# compile them. `make install` compiles too, so a fresh clone runs in every language.
i18n: i18n-extract i18n-update

i18n-extract: install
	$(BIN)/python -m locales.templates

i18n-update: install
	for domain in messages loket; do \
	  for po in locales/*/LC_MESSAGES/$$domain.po; do \
	    [ -e "$$po" ] || continue; \
	    lang=$$(basename $$(dirname $$(dirname $$po))); \
	    $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -D $$domain \
	      -i locales/$$domain.pot -d locales -l $$lang; \
	  done; \
	done

