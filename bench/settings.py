"""Settings of the benchmark server: the production settings, plus a bench-only URLconf (the ceiling endpoint) and
a middleware that reports the time spent in Django. `bench/run.py` starts uvicorn with
DJANGO_SETTINGS_MODULE=bench.settings; production code is untouched.

BENCH_DB_CONNECTIONS (bench/run.py --db-connections) compares how Django gets its PostgreSQL connections:
  app          as bantu/settings.py configures it (CONN_MAX_AGE, default 60 s)
  per-request  CONN_MAX_AGE=0: a new connection per request, closed at its end (what DB_CONN_MAX_AGE=0 does)
  pool         CONN_MAX_AGE=0 plus Django's psycopg pool (OPTIONS["pool"], needs the psycopg-pool package)
"""

import os

from bantu.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Outermost, so it times everything Django does for a request (not the ASGI server, not the network).
MIDDLEWARE = ["bench.middleware.ServerTimingMiddleware", *MIDDLEWARE]  # noqa: F405

_mode = os.environ.get("BENCH_DB_CONNECTIONS", "app")
if USING_POSTGRES and _mode in ("per-request", "pool"):  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if USING_POSTGRES and _mode == "pool":  # noqa: F405
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405  (the pool checks connections itself)
    DATABASES["default"]["OPTIONS"]["pool"] = {  # noqa: F405
        "min_size": 1, "max_size": int(os.environ.get("BENCH_DB_POOL_SIZE", "4")), "timeout": 10,
    }
