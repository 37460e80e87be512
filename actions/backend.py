"""The recommender service shared by all actions of one action-server process.

The service is created on first use, never at import: rasa_sdk imports every
module of this package at start-up, and its workers fail when torch is
initialised during that import.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from bot.service import RecommenderService

logger = logging.getLogger(__name__)

_service: RecommenderService | None = None
_service_lock = threading.Lock()
# One service call at a time per event loop, because the core's models and its
# SQLite feedback store are not documented as thread-safe. An asyncio.Lock is
# bound to one loop, and tests run several loops in one process.
_call_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

ResultT = TypeVar("ResultT")


def shared_service() -> RecommenderService:
    """Return this process's RecommenderService, creating it on the first call."""
    global _service
    with _service_lock:
        if _service is None:
            from bot.service import RecommenderService

            _service = RecommenderService.from_settings()
            logger.info("Created the recommender service for this action server process")
        return _service


async def call_in_thread(function: Callable[..., ResultT], *args: Any) -> ResultT:
    """Run a blocking service call in a worker thread, one call at a time.

    The action server's event loop stays free to serve other requests (such
    as its health check) while a model computes.
    """
    loop = asyncio.get_running_loop()
    lock = _call_locks.setdefault(loop, asyncio.Lock())
    async with lock:
        return await asyncio.to_thread(function, *args)
