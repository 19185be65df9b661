# Blood Bond: one image for the web server, the Celery worker and Celery beat.
#
#   docker build -t bloodbond:latest .
#   docker run --rm -e SECRET_KEY=... -e DATABASE_URL=... -e CELERY_BROKER_URL=... \
#       -e ALLOWED_HOSTS=... -p 8000:8000 bloodbond:latest            # web (default CMD)
#   docker run ... bloodbond:latest nice -n 10 celery -A donation_portal worker --loglevel=info
#       (nice: below the web in CPU priority when both share a host; see docker-compose.yml)
#   docker run ... bloodbond:latest celery -A donation_portal beat --loglevel=info \
#       --schedule /tmp/celerybeat-schedule
#
# docker-compose.yml wires all of them to PostgreSQL and Redis.
# No HEALTHCHECK here on purpose: worker and beat share this image and serve no HTTP;
# the web service's health check lives in docker-compose.yml.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: resolve the locked dependencies into /app/.venv ----------------------------
FROM ${PYTHON_IMAGE} AS builder

# uv from PyPI (keep in step with the uv that writes uv.lock).
RUN pip install --no-cache-dir "uv==0.13.9"

ENV UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11

WORKDIR /app
# Only the lock inputs first, so code changes do not re-install the dependencies.
COPY pyproject.toml uv.lock ./
# (No BuildKit-only `RUN --mount` cache: Debian's docker-compose 1.29 may build with the
# classic builder.)
RUN uv sync --frozen --no-dev --no-install-project --no-cache

# --- runtime ------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# STATIC_ROOT: collected files live outside var/, so var/ (or var/media) can be a volume
# without hiding them.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/app/.venv/bin:${PATH}" \
    DJANGO_SETTINGS_MODULE=donation_portal.settings \
    STATIC_ROOT=/app/staticfiles

# A real (writable) home: gunicorn >= 25 puts its control socket under ~/.gunicorn/.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY . .

# Hashed + compressed static files (WhiteNoise manifest storage) baked into the image.
# The SECRET_KEY here is a throwaway that exists only for this one command: it is not
# an ENV/ARG, so it is neither kept in the image config nor used at run time.
RUN SECRET_KEY="collectstatic-build-only-not-a-secret" DEBUG=0 \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var

USER app:app
EXPOSE 8000

CMD ["gunicorn", "donation_portal.wsgi:application", \
     "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--access-logfile", "-"]
