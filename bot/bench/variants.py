"""The steps of ranker improvement, measured side by side on both benchmarks.

Each step is the chat's :class:`bot.ranking.Ranker` with one more feature
switched on or changed. ``FINAL`` is the chat's default configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.ranking import RankWeights


@dataclass(frozen=True)
class RankerVariant:
    """A labelled ranker configuration: weights and whether the popularity prior is used."""

    name: str
    weights: RankWeights
    uses_popularity: bool


VARIANTS: tuple[RankerVariant, ...] = (
    RankerVariant("ours 0: similarity to the query only", RankWeights(shown=0.0), uses_popularity=False),
    RankerVariant("ours 1: + popularity prior", RankWeights(shown=0.0), uses_popularity=True),
    RankerVariant("ours 2: + pull of shown items (chat default)", RankWeights(), uses_popularity=True),
    RankerVariant(
        "ours 3: wanted genres boost instead of filter",
        RankWeights(genre_filter=False, genre_boost=0.1),
        uses_popularity=True,
    ),
)
# The chat's default configuration.
FINAL = VARIANTS[2]

# Run only when a MovieLens folder is given: FINAL plus item-item co-rating similarity from MovieLens.
COLLABORATIVE = RankerVariant("ours 4: + MovieLens co-ratings", RankWeights(), uses_popularity=True)
