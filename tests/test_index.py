import json

import numpy as np
import pytest

from bot.catalog import load_catalog
from bot.index import (
    IndexMismatchError,
    IndexMissingError,
    build_index,
    check_manifest,
    load_index,
    make_faiss_index,
)


def random_unit_vectors(count: int, dimension: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_flat_search_equals_exact_search():
    vectors = random_unit_vectors(2000, 48, seed=1)
    queries = random_unit_vectors(20, 48, seed=2)
    index = make_faiss_index(vectors, "flat")
    scores, rows = index.search(queries, 10)
    exact = np.argsort(-queries @ vectors.T, axis=1)[:, :10]
    assert np.array_equal(rows, exact)
    assert np.allclose(scores, np.take_along_axis(queries @ vectors.T, exact, axis=1), atol=1e-5)


def test_hnsw_recall_against_exact():
    vectors = random_unit_vectors(5000, 32, seed=3)
    queries = random_unit_vectors(50, 32, seed=4)
    _, approximate = make_faiss_index(vectors, "hnsw").search(queries, 10)
    exact = np.argsort(-queries @ vectors.T, axis=1)[:, :10]
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approximate, exact)])
    assert recall >= 0.9, f"HNSW recall@10 against exact search is {recall:.3f}"


def test_build_and_load_roundtrip(tiny_index_dir, tiny_catalog_path, tiny_embedder_path):
    catalog = load_catalog(tiny_catalog_path)
    index = load_index(tiny_index_dir, catalog, str(tiny_embedder_path))
    assert len(index) == len(catalog)
    rows, scores = index.search(index.vectors[5], 3)
    assert rows[0] == 5
    assert scores[0] == pytest.approx(1.0, abs=1e-5)


def test_manifest_records_inputs(tiny_index_dir, tiny_catalog_path, tiny_embedder_path):
    manifest = json.loads((tiny_index_dir / "manifest.json").read_text())
    catalog = load_catalog(tiny_catalog_path)
    assert manifest["catalog_fingerprint"] == catalog.fingerprint
    assert manifest["embedder"] == str(tiny_embedder_path)
    assert manifest["dimension"] == 32
    assert manifest["count"] == len(catalog)


def test_changed_catalog_is_rejected(tmp_path, tiny_index_dir, tiny_catalog_path, tiny_embedder_path):
    changed = tmp_path / "changed.jsonl"
    changed.write_text(tiny_catalog_path.read_text().replace("deadly creature", "hungry creature"))
    with pytest.raises(IndexMismatchError, match="python -m bot index build"):
        check_manifest(tiny_index_dir, load_catalog(changed), str(tiny_embedder_path))


def test_changed_embedder_is_rejected(tiny_index_dir, tiny_catalog_path):
    with pytest.raises(IndexMismatchError, match="embedder"):
        check_manifest(tiny_index_dir, load_catalog(tiny_catalog_path), "all-MiniLM-L6-v2")


def test_missing_index_names_command(tmp_path, tiny_catalog_path):
    with pytest.raises(IndexMissingError, match="python -m bot index build"):
        load_index(tmp_path, load_catalog(tiny_catalog_path), "all-MiniLM-L6-v2")


def test_interrupted_build_is_not_loadable(tmp_path, tiny_catalog_path, tiny_embedder_path):
    from bot.embedding import Embedder

    catalog = load_catalog(tiny_catalog_path)
    build_index(catalog, Embedder(str(tiny_embedder_path)), tmp_path)
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(IndexMissingError):
        load_index(tmp_path, catalog, str(tiny_embedder_path))
