# syntax=docker/dockerfile:1
# Build stage: wheels for everything in requirements.txt (compilers stay out of the runtime image).
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt requirements-fcm.txt ./
RUN pip wheel --wheel-dir /wheels -r requirements-fcm.txt

# Runtime stage: non-root, ASGI server (HTTP + WebSocket) by default.
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=bantu.settings PORT=8000 WEB_CONCURRENCY=2
RUN groupadd --system bantu && useradd --system --gid bantu --home-dir /app --shell /usr/sbin/nologin bantu
WORKDIR /app
COPY --from=build /wheels /wheels
COPY requirements.txt requirements-fcm.txt ./
RUN pip install --no-index --find-links=/wheels -r requirements-fcm.txt && rm -rf /wheels
COPY --chown=bantu:bantu . .
# collectstatic needs settings but no services; the dev key is only used for this build step.
RUN python manage.py collectstatic --noinput && chown -R bantu:bantu /app/staticfiles
USER bantu
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
CMD ["sh", "-c", "exec uvicorn bantu.asgi:application --host 0.0.0.0 --port ${PORT} --workers ${WEB_CONCURRENCY} --no-proxy-headers --lifespan off --timeout-graceful-shutdown 5"]
