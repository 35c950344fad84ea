# Two commands do all the set-up: `make run` and `make test`. See README.md.
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PYTHON ?= python3

.PHONY: run test lint translations extract-messages db bench-survey bench-export bench-draft bench-admin bench-rush clean

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

## Create or upgrade the database, then load the shipped demo province in today's shape (README: The unit list).
db: $(VENV)/.installed translations
	$(FLASK) survey check
	$(FLASK) db upgrade
	$(FLASK) units import demo/units-2025.csv

## Serve on 127.0.0.1:5000 after printing a few unit links.
run: db
	@echo "A few unit links (all of them: $(FLASK) units links):"
	@$(FLASK) units links --limit 6
	$(FLASK) run --host 127.0.0.1 --port 5000

## Lint, then the whole test suite (SQLite; PostgreSQL when DATABASE_URL is set).
test: $(VENV)/.dev-installed translations
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

bench-survey: $(VENV)/.dev-installed translations
	$(BIN)/python bench/survey_pages.py

bench-export: $(VENV)/.dev-installed translations
	$(BIN)/python bench/export_workbook.py

bench-draft: $(VENV)/.dev-installed translations
	$(BIN)/python bench/consolidated_draft.py

bench-admin: $(VENV)/.dev-installed translations
	$(BIN)/python bench/admin_pages.py

## Needs PostgreSQL at 127.0.0.1:5432 (bench/deadline_rush.py --postgresql URL to change it).
bench-rush: $(VENV)/.dev-installed translations
	$(BIN)/python bench/deadline_rush.py

clean:
	rm -rf $(VENV) instance
