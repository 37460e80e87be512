"""An embedder that encodes many texts in batches ahead of time, then serves them from memory.

The ranker embeds its query text one message at a time, which is right for a
chat but slow for thousands of benchmark turns. :meth:`CachedEmbedder.prime`
encodes every query text of a benchmark in batches first, so that the ranker's
own ``encode_one`` calls, on the unchanged code path, become lookups.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import numpy as np

from bot.embedding import Embedder

logger = logging.getLogger(__name__)


class CachedEmbedder(Embedder):
    """:class:`Embedder` with a text-to-vector cache filled by :meth:`prime` and by every encode call."""

    def __init__(self, name: str, batch_size: int = 64) -> None:
        super().__init__(name, batch_size=batch_size)
        self._cache: dict[str, np.ndarray] = {}

    def prime(self, texts: Iterable[str], show_progress: bool = True) -> None:
        """Encode the texts not cached yet, in batches, and keep their vectors."""
        missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
        if not missing:
            return
        started = time.perf_counter()
        vectors = super().encode(missing, show_progress=show_progress)
        self._cache.update(zip(missing, vectors))
        logger.info("Embedded %d texts in %.1f s", len(missing), time.perf_counter() - started)

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        self.prime(texts, show_progress=show_progress)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[text] for text in texts])
