"""The Redis connection of the channel layer: redis-py's, with sends that cannot lose a cancellation.

redis-py sends every command under `asyncio.wait_for(…, socket_timeout)`. On Python 3.11, `wait_for` drops a
cancellation that arrives just as the operation it waits for completes (CPython gh-86296; 3.12 rebuilt
`wait_for` on `asyncio.timeout`). When the server stops, Channels cancels each consumer's channel-layer receive
and waits for it; a receive whose cancellation was dropped went on with its next blocking read (BZPOPMIN, up to
5 s), and uvicorn waited out its graceful-shutdown timeout for that socket (docs/security.md, the shutdown fault
test). Here the send is bounded by `asyncio.timeout` instead, which propagates the cancellation.
"""

import asyncio

from redis.asyncio.connection import Connection
from redis.exceptions import TimeoutError as RedisTimeoutError


class CancellableSendConnection(Connection):
    async def send_packed_command(self, command, check_health: bool = True) -> None:
        """redis-py's send, bounded by `socket_timeout` through `asyncio.timeout` rather than `wait_for`. Raises
        redis.exceptions.TimeoutError (the connection closed) when the send, with the connect and handshake it
        may need, takes longer; whatever redis-py's send raises otherwise."""
        timeout = self.socket_timeout
        if not timeout:
            return await super().send_packed_command(command, check_health=check_health)
        # Without a socket timeout redis-py writes directly; this connection is checked out to one caller.
        self.socket_timeout = None
        try:
            async with asyncio.timeout(timeout):
                await super().send_packed_command(command, check_health=check_health)
        except TimeoutError:
            await self.disconnect(nowait=True)
            raise RedisTimeoutError("Timeout writing to socket") from None
        finally:
            self.socket_timeout = timeout
