"""Memory of recently delivered event ids, to drop webhook deliveries seen before."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class RecentKeys:
    """Keys seen within the last ``ttl_s`` seconds, at most ``max_keys`` of them.

    NOTE: the memory belongs to one Rasa process. Behind a load balancer with
    several Rasa replicas, a redelivery that reaches another replica is
    processed again.
    """

    def __init__(self, ttl_s: float = 3600.0, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic):
        if ttl_s <= 0 or max_keys <= 0:
            raise ValueError(f"ttl_s and max_keys must be positive, got ttl_s={ttl_s}, max_keys={max_keys}")
        self.ttl_s = ttl_s
        self.max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def seen_before(self, key: str) -> bool:
        """Return whether ``key`` was recorded within the time to live, and record it now."""
        now = self._clock()
        while self._seen:
            oldest_key, recorded_at = next(iter(self._seen.items()))
            if now - recorded_at < self.ttl_s and len(self._seen) < self.max_keys:
                break
            del self._seen[oldest_key]
        if key in self._seen:
            return True
        self._seen[key] = now
        return False
