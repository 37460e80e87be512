"""FAISS vector index over the catalog, with a manifest that ties it to its inputs.

Files under the index folder:
- ``items.faiss``: inner-product index over L2-normalised item vectors;
- ``vectors.npy``: the same vectors, row = catalog position, for steering queries;
- ``ids.json``: catalog id of each row;
- ``manifest.json``: catalog fingerprint, embedder name, dimension, index kind.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from bot.embedding import Embedder, item_text
from bot.items import Catalog

logger = logging.getLogger(__name__)

REBUILD_COMMAND = "python -m bot index build"
INDEX_KINDS = ("flat", "hnsw")
MANIFEST_VERSION = 1


class VectorIndexError(RuntimeError):
    """Base class for index problems; the message explains the fix."""


class IndexMissingError(VectorIndexError):
    pass


class IndexMismatchError(VectorIndexError):
    pass


@dataclass(frozen=True)
class Manifest:
    catalog_fingerprint: str
    catalog_path: str
    embedder: str
    dimension: int
    count: int
    kind: str
    built_at: str
    version: int = MANIFEST_VERSION


class VectorIndex:
    """Search over catalog rows; returns ``(rows, scores)`` best first."""

    def __init__(self, index, vectors: np.ndarray, ids: list[str], manifest: Manifest) -> None:
        self.index = index
        self.vectors = vectors
        self.ids = ids
        self.manifest = manifest

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the ``k`` nearest rows to ``query`` (one vector) and their cosine scores."""
        k = max(1, min(k, len(self.ids)))
        scores, rows = self.index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]


def make_faiss_index(vectors: np.ndarray, kind: str = "flat"):
    """Build an inner-product FAISS index over ``vectors``; ``hnsw`` is approximate."""
    import faiss

    if kind not in INDEX_KINDS:
        raise ValueError(f"Unknown index kind '{kind}'; expected one of {list(INDEX_KINDS)}")
    dimension = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dimension)
    else:
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
    index.add(vectors)
    return index


def build_index(catalog: Catalog, embedder: Embedder, out_dir: Path, kind: str = "flat") -> Manifest:
    """Embed every catalog item and write the index files to ``out_dir``."""
    import faiss

    started = time.perf_counter()
    logger.info("Embedding %d items with %s", len(catalog), embedder.name)
    texts = [item_text(item) for item in catalog]
    vectors = embedder.encode(texts, show_progress=True)
    index = make_faiss_index(vectors, kind)
    manifest = Manifest(
        catalog_fingerprint=catalog.fingerprint,
        catalog_path=catalog.source,
        embedder=embedder.name,
        dimension=int(vectors.shape[1]),
        count=len(catalog),
        kind=kind,
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    # The manifest goes last, so an interrupted build never looks complete.
    (out_dir / "manifest.json").unlink(missing_ok=True)
    faiss.write_index(index, str(out_dir / "items.faiss"))
    np.save(out_dir / "vectors.npy", vectors)
    (out_dir / "ids.json").write_text(json.dumps([item.id for item in catalog]))
    (out_dir / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    logger.info("Index of %d items written to %s in %.1f s", len(catalog), out_dir, time.perf_counter() - started)
    return manifest


def read_manifest(index_dir: Path) -> Manifest | None:
    path = index_dir / "manifest.json"
    if not path.is_file():
        return None
    try:
        return Manifest(**json.loads(path.read_text()))
    except (TypeError, ValueError):
        return None


def check_manifest(index_dir: Path, catalog: Catalog, embedder_name: str) -> Manifest:
    """Return the manifest if the index matches the catalog and embedder; raise otherwise."""
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexMissingError(
            f"No usable vector index in {index_dir} (manifest.json missing or unreadable). "
            f"Build it with '{REBUILD_COMMAND}'."
        )
    if manifest.version != MANIFEST_VERSION:
        raise IndexMismatchError(
            f"The index in {index_dir} has format version {manifest.version}, expected "
            f"{MANIFEST_VERSION}. Rebuild it with '{REBUILD_COMMAND}'."
        )
    if manifest.catalog_fingerprint != catalog.fingerprint:
        raise IndexMismatchError(
            f"The index in {index_dir} was built for another catalog ({manifest.catalog_path}, "
            f"fingerprint {manifest.catalog_fingerprint[:12]}), not for {catalog.source} "
            f"(fingerprint {catalog.fingerprint[:12]}). Rebuild it with '{REBUILD_COMMAND}'."
        )
    if manifest.embedder != embedder_name:
        raise IndexMismatchError(
            f"The index in {index_dir} was built with embedder '{manifest.embedder}', but the "
            f"configured embedder is '{embedder_name}'. Rebuild it with '{REBUILD_COMMAND}'."
        )
    return manifest


def load_index(index_dir: Path, catalog: Catalog, embedder_name: str) -> VectorIndex:
    """Load the index from ``index_dir`` after checking it against the catalog and embedder."""
    import faiss

    manifest = check_manifest(index_dir, catalog, embedder_name)
    index = faiss.read_index(str(index_dir / "items.faiss"))
    vectors = np.load(index_dir / "vectors.npy")
    ids = json.loads((index_dir / "ids.json").read_text())
    if len(ids) != len(catalog) or index.ntotal != len(catalog) or vectors.shape != (len(catalog), manifest.dimension):
        raise IndexMismatchError(
            f"The index files in {index_dir} disagree with each other or with the catalog "
            f"({index.ntotal} vectors, {len(ids)} ids, {len(catalog)} items). "
            f"Rebuild it with '{REBUILD_COMMAND}'."
        )
    if ids != [item.id for item in catalog]:
        raise IndexMismatchError(
            f"The index rows in {index_dir} are not in catalog order. Rebuild it with '{REBUILD_COMMAND}'."
        )
    logger.info("Loaded %s index of %d items from %s", manifest.kind, len(ids), index_dir)
    return VectorIndex(index, vectors, ids, manifest)
