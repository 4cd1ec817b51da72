"""WSGI entry point: the REST API, admin and docs served by a WSGI server (gunicorn with threads, see
deploy/gunicorn.conf.py), while WebSockets stay on the ASGI server (`bantu.asgi`). Both run the same Django views;
measured against serving HTTP over ASGI in docs/benchmarks.md ("Serving HTTP: WSGI or ASGI")."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bantu.settings")
application = get_wsgi_application()

from bantu.core.gc_tuning import settle_after_startup  # noqa: E402

settle_after_startup()  # once the application is loaded (bantu/core/gc_tuning.py)
