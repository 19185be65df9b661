# The two commands of the README, plus a few helpers. `make run` needs no service installed.
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)

.PHONY: run test lint messages demo

$(UV):
	python3 -m pip install --user --quiet uv

## Start the portal on the embedded default: SQLite, filesystem broker, web + worker + beat.
## PORTAL_BIND=0.0.0.0:8000 serves the phones on the same Wi-Fi (README: "From a phone").
## The address, a QR code and the demo sign-ins are printed once the server answers.
run: $(UV)
	$(UV) sync --frozen
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py load_demo
	$(UV) run honcho -f Procfile.dev start

## Run the whole test suite (DATABASE_URL / CELERY_BROKER_URL pick PostgreSQL and Redis).
test: $(UV)
	$(UV) sync --frozen
	$(UV) run pytest

lint: $(UV)
	$(UV) run ruff check .
	$(UV) run ruff format --check .

## Refresh the Hindi and Vietnamese catalogues after wrapping new strings; then translate and compile.
messages: $(UV)
	$(UV) run python manage.py makemessages -l hi -l vi --ignore=.venv --ignore=var --ignore=static/vendor
	$(UV) run python manage.py makemessages -d djangojs -l hi -l vi --ignore=.venv --ignore=var --ignore=static/vendor
	$(UV) run python manage.py compilemessages --ignore=.venv
