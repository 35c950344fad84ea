# Two commands do all the set-up: `make run` and `make test`. See README.md.
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PYTHON ?= python3
#: Where make run serves the demo, and so the address its printed links carry: make run PORT=5001.
HOST ?= 127.0.0.1
PORT ?= 5000
## make test's pytest processes (pytest-xdist): one per core; 0 runs the suite in this process.
TEST_WORKERS ?= auto

.PHONY: run test lint translations extract-messages db screenshots bench-survey bench-export bench-draft bench-admin bench-phone bench-budget bench-rush bench-import bench-narratives clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

## Compile the message catalogues (translations/*/LC_MESSAGES/messages.po -> .mo).
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile --use-fuzzy -d translations

## Refresh messages.pot and merge new strings into every catalogue.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -o translations/messages.pot --ignore-dirs='.venv tests bench' .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

## The first time, create make run's SQLite database with the demo province under way (demo/units-2025.csv,
## today's shape) and two accounts, and print them; any other database only has its tables brought up to date.
## It stops first, saying so, when another program serves HOST:PORT, since the links it prints would lead there.
db: $(VENV)/.installed translations
	$(FLASK) survey check
	$(FLASK) demo-site --base-url http://$(HOST):$(PORT) --check-port

## Serve the demo on http://$(HOST):$(PORT) (127.0.0.1:5000 unless given: make run PORT=5001).
run: db
	$(FLASK) run --host $(HOST) --port $(PORT)

## Lint, then the whole test suite (SQLite; PostgreSQL when DATABASE_URL is set).
test: $(VENV)/.dev-installed translations
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

## Take the guides' screenshots anew into static/guide/ (Debian's chromium, and chromium-l10n for dd/mm/yyyy).
screenshots: $(VENV)/.dev-installed translations
	$(BIN)/python tools/screenshots.py

bench-survey: $(VENV)/.dev-installed translations
	$(BIN)/python bench/survey_pages.py

bench-export: $(VENV)/.dev-installed translations
	$(BIN)/python bench/export_workbook.py

bench-draft: $(VENV)/.dev-installed translations
	$(BIN)/python bench/consolidated_draft.py

bench-admin: $(VENV)/.dev-installed translations
	$(BIN)/python bench/admin_pages.py

## The survey page in Chromium on a slow 3G line (Debian's chromium).
bench-phone: $(VENV)/.dev-installed translations
	$(BIN)/python bench/phone_page.py

## Keeps the provinces it builds in instance/bench-cache (some 1 GB at 50,000 units): delete it to rebuild.
bench-narratives: $(VENV)/.dev-installed translations
	$(BIN)/python bench/narratives.py

## Needs PostgreSQL at 127.0.0.1:5432 (bench/deadline_rush.py --postgresql URL to change it).
bench-budget: $(VENV)/.dev-installed translations
	$(BIN)/python bench/export_budget.py

bench-rush: $(VENV)/.dev-installed translations
	$(BIN)/python bench/deadline_rush.py

## Needs PostgreSQL at 127.0.0.1:5432 (bench/unit_import.py --postgresql URL to change it).
bench-import: $(VENV)/.dev-installed translations
	$(BIN)/python bench/unit_import.py

clean:
	rm -rf $(VENV) instance
