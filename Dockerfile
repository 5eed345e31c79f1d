# victim-api: the production image. Build from the repository root:
#   docker build -t victim-api .
# Runs gunicorn with uvicorn workers (deploy/gunicorn.conf.py) as a non-root
# user. Dev dependencies are not installed. Migrate with the same image:
#   docker run --rm --env-file ... victim-api victim-api migrate

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: a virtualenv with the service and its pinned runtime dependencies
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/victim-api
ENV PATH=/opt/victim-api/bin:$PATH
WORKDIR /src
# Dependencies first (cached until pyproject.toml or constraints.txt change),
# pinned by constraints.txt; then the service itself, with no further deps.
COPY pyproject.toml constraints.txt README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install --constraint constraints.txt --requirement /tmp/requirements.txt
COPY src ./src
RUN pip install --constraint constraints.txt --no-deps . \
 && python -m compileall -q /opt/victim-api/lib

# ---- runtime: the virtualenv, the gunicorn settings, a non-root user
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/victim-api/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VICTIM_API_ENV=production \
    VICTIM_API_LOG_FORMAT=json \
    VICTIM_API_BIND=0.0.0.0:8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/victim-api-metrics
RUN groupadd --system --gid 10001 victim-api \
 && useradd --system --uid 10001 --gid victim-api --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin victim-api
COPY --from=build /opt/victim-api /opt/victim-api
COPY deploy/gunicorn.conf.py /etc/victim-api/gunicorn.conf.py
# The leaflet files, for `victim-api leaflets import` (VICTIM_API_CONTENT_DIR's default here).
COPY content /srv/victim-api/content
WORKDIR /srv/victim-api
USER 10001:10001
EXPOSE 8000
STOPSIGNAL SIGTERM
CMD ["gunicorn", "--config", "/etc/victim-api/gunicorn.conf.py", "victim_api.app:create_app_from_environment()"]
