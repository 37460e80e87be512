"""Published ReDial recommendation figures, printed beside ours.

These are quoted from the papers named in each entry, not re-run here. All of
those systems were trained on ReDial's 10,006 training conversations.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublishedResult:
    """Recall@1/10/50 of one system as published; None where the source gives no figure."""

    system: str
    source: str
    recall_1: float | None
    recall_10: float | None
    recall_50: float | None


STANDARD: tuple[PublishedResult, ...] = (
    # NOTE: the popularity row is the figure that CRS comparison tables list; its first source was not re-checked.
    PublishedResult("Popularity", "CRS comparison tables", 0.012, 0.061, 0.179),
    PublishedResult(
        "KBRD", 'Chen et al., "Towards Knowledge-Based Recommender Dialog System", EMNLP 2019', 0.030, 0.163, 0.338
    ),
    PublishedResult(
        "KGSF",
        'Zhou et al., "Improving Conversational Recommender Systems via Knowledge Graph based Semantic Fusion", '
        "KDD 2020",
        0.039, 0.183, 0.378,
    ),
    PublishedResult(
        "UniCRS",
        'Wang et al., "Towards Unified Conversational Recommender Systems via Knowledge-Enhanced Prompt Learning", '
        "KDD 2022",
        0.051, 0.224, 0.428,
    ),
    PublishedResult(
        "C2-CRS",
        'Zhou et al., "C2-CRS: Coarse-to-Fine Contrastive Learning for Conversational Recommender System", WSDM 2022',
        0.053, 0.233, 0.407,
    ),
    PublishedResult(
        "GPT-4, zero-shot",
        'He et al., "Large Language Models as Zero-Shot Conversational Recommenders", CIKM 2023',
        0.045, 0.194, None,
    ),
)

NO_REPEAT: tuple[PublishedResult, ...] = (
    PublishedResult("KBRD", "Kostric & Balog's re-run without repeated items", 0.017, 0.148, 0.300),
    PublishedResult("UniCRS", "Kostric & Balog's re-run without repeated items", 0.024, 0.180, 0.335),
)
