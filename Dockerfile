# STRONG-BACK EDC application image (web, worker and beat share it).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=strongback.settings.production
WORKDIR /app
# Graphviz draws the CONSORT diagram (without it the diagram answers 503).
RUN apt-get update && apt-get install -y --no-install-recommends graphviz \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY trial ./trial
COPY randomization ./randomization
COPY outcomes ./outcomes
COPY imaging ./imaging
# The CPU build of torch first, from PyTorch's CPU index: the default index would pull the
# multi-gigabyte CUDA wheels; ``torch==2.13.0`` in pyproject is then already satisfied.
RUN pip install --upgrade pip \
 && pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install .
COPY . .
RUN pybabel compile -d locale -D django -l fr
# collectstatic needs settings to import; these throwaway values exist only in this build step.
RUN SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-build-only \
    ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1ub3QtYS1rZXktYnVpbGQtb25seSE= \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 edc && mkdir -p /app/var/media && chown -R edc /app/var
USER edc
EXPOSE 8000
CMD ["gunicorn", "strongback.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
