"""The same answer as /healthz with no framework at all, as an ASGI app (`bench.bare:asgi`) and a WSGI app
(`bench.bare:wsgi`): what the server itself costs (bench/serving.py)."""

BODY = b'{"status":"ok"}'


async def asgi(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})


def wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
