"""Liveness and readiness probes (plain Django views: no auth, no throttling, no database for /healthz)."""

import asyncio
import logging
import uuid

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse

from .loop_thread import call_async

logger = logging.getLogger(__name__)


_HEALTHY = b'{"status": "ok"}'  # what JsonResponse({"status": "ok"}) sends, without encoding it per probe


def healthz(request):
    return HttpResponse(_HEALTHY, content_type="application/json")


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":  # django-redis swallows connection errors, so a miss means unreachable
        raise RuntimeError("cache did not return what was written")
    cache.delete(key)


async def _roundtrip_channel_layer():
    layer = get_channel_layer()
    channel = await layer.new_channel("readyz.")
    await layer.send(channel, {"type": "readyz.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=settings.BANTU["READYZ_TIMEOUT_SECONDS"])
    if message.get("type") != "readyz.ping":
        raise RuntimeError("channel layer returned another message")


def readyz(request):
    checks = {}
    for name, check in (
        ("database", _check_database),
        ("cache", _check_cache),
        ("channel_layer", lambda: call_async(_roundtrip_channel_layer)),
    ):
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # a probe reports every failure rather than raising
            logger.warning("readyz: %s failed: %s", name, exc)
            checks[name] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
