"""A Bot API transport that wraps another: the part every wrapper shares.

The retrying transport and the flood limiter each add one behaviour around the request and
leave opening, closing and timeouts to the transport inside, so that part lives here once.
"""

from __future__ import annotations

from telegram.request import BaseRequest


class WrappedRequest(BaseRequest):
    """Delegate the transport's life (open, close, read timeout) to `inner`."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        """The wrapped transport's default read timeout."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Open the wrapped transport."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Close the wrapped transport."""
        await self.inner.shutdown()
