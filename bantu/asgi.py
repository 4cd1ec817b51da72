"""ASGI entry point: HTTP goes to Django, `/ws/` to Channels with JWT authentication."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bantu.settings")
django_asgi_app = get_asgi_application()  # before importing anything that touches models

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accounts.websocket import JWTQueryAuthMiddleware  # noqa: E402
from bantu.core.gc_tuning import settle_after_startup  # noqa: E402
from bantu.core.websocket import SocketOriginValidator, redact_access_log  # noqa: E402
from bantu.routing import websocket_urlpatterns  # noqa: E402

redact_access_log()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SocketOriginValidator(JWTQueryAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
settle_after_startup()  # once everything is imported (bantu/core/gc_tuning.py)
