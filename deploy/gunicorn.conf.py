"""gunicorn settings for serving the REST API, admin and docs over WSGI (`gunicorn -c deploy/gunicorn.conf.py
bantu.wsgi`). WebSockets are served by uvicorn (`bantu.asgi`); the proxy sends `/ws/` there (deploy/nginx.conf).

Threaded workers (gthread): one process per core, each serving THREADS requests at a time on keep-alive
connections. A request's thread borrows a PostgreSQL connection from the process's pool (DB_POOL_MAX_SIZE,
default 8), so THREADS should not exceed it. Why WSGI for HTTP: docs/benchmarks.md, "Serving HTTP".
"""

import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
keepalive = 75  # seconds; longer than the proxy's upstream keep-alive so the proxy closes first
# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new connections over them. With one
# shared socket, whichever worker woke first could accept a whole burst of keep-alive connections: in about one
# load phase in three of `make bench`, all 32 clients sat on one of the two workers and the phase ran on one core
# (979 against 1,965-2,045 req/s, docs/benchmarks.md). The price: connections waiting in the queue of a worker
# that dies are reset, not taken by another worker.
reuse_port = True
graceful_timeout = 5
timeout = 30  # a worker silent for this long (stuck, not just busy) is restarted
max_requests = 0
accesslog = None  # the proxy logs requests; Django logs errors
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# As uvicorn's --no-proxy-headers: gunicorn trusts no forwarded header itself. NUM_PROXIES (throttles' client
# address) and SECURE_PROXY_SSL_HEADER (the scheme) decide in Django, where the settings document them.
secure_scheme_headers = {}
forwarded_allow_ips = ""
