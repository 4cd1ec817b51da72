import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction


class ServerTimingMiddleware:
    """Adds `Server-Timing: app;dur=<ms>`: Django's own time for the request (its middleware, view and thread
    hand-offs; not the ASGI server, not the network), so the benchmark can tell server time from queueing and
    client time. Sync and async capable, so it adds no sync/async switch to the middleware chain."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        started = time.perf_counter()
        response = self.get_response(request)
        return self._stamp(response, started)

    async def __acall__(self, request):
        started = time.perf_counter()
        response = await self.get_response(request)
        return self._stamp(response, started)

    @staticmethod
    def _stamp(response, started: float):
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.3f}"
        return response
