"""Concrete reasons why an item was chosen for a profile."""

from __future__ import annotations

import re

import numpy as np

from bot.items import Item
from bot.profile import SessionProfile
from bot.ranking import Ranker

STOPWORDS = {
    "about", "after", "again", "also", "and", "any", "are", "because", "been", "before", "but", "can",
    "could", "did", "does", "film", "films", "for", "from", "had", "has", "have", "her", "him", "his",
    "into", "its", "just", "like", "maybe", "more", "movie", "movies", "much", "not", "one", "only",
    "other", "over", "really", "some", "something", "than", "that", "the", "their", "them", "then",
    "there", "they", "this", "very", "want", "was", "what", "when", "which", "while", "who", "will",
    "with", "would", "you", "your", "less", "scary", "funny", "recommend", "watch", "please", "good",
    "great", "kind", "sort", "from", "80s", "90s", "70s", "new", "old", "recent", "starring",
}
MAX_WORDS = 3
# Cosine similarity (all-MiniLM-L6-v2 item vectors) above which an item is
# called "similar to" a reference. Read off the default catalog: Aliens is
# 0.72 from Alien and Predator 0.38, while Airplane! is 0.34 and Ghostbusters 0.32.
SIMILAR_MIN = 0.35


def _content_words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z][a-z'-]{2,}", text.lower()) if word not in STOPWORDS}


def description_overlap(profile: SessionProfile, item: Item) -> list[str]:
    """Return up to three words of the user's wishes that the item's description also uses."""
    wanted = _content_words(" ".join(profile.descriptions))
    if not wanted or not item.description:
        return []
    found = _content_words(item.description)
    return sorted(wanted & found)[:MAX_WORDS]


def closest_reference(ranker: Ranker, profile: SessionProfile, item: Item) -> Item | None:
    """Return the liked or reference item most similar to ``item``, if any is similar enough."""
    anchors = [anchor for anchor in profile.references + profile.liked if anchor in ranker.catalog]
    if not anchors:
        return None
    vector = ranker.item_vector(item.id)
    similarities = [float(np.dot(vector, ranker.item_vector(anchor))) for anchor in anchors]
    best = int(np.argmax(similarities))
    if similarities[best] < SIMILAR_MIN:
        return None
    return ranker.catalog.get(anchors[best])


def explain(ranker: Ranker, profile: SessionProfile, item: Item) -> list[str]:
    """Return short reason phrases, most specific first, e.g. "similar to Alien (1979)"."""
    reasons: list[str] = []
    reference = closest_reference(ranker, profile, item)
    if reference is not None:
        reasons.append(f"similar to {reference.label}")
    wanted = {genre.lower() for genre in profile.genres}
    matching = [genre for genre in item.genres if genre.lower() in wanted]
    if matching:
        reasons.append("a " + " and ".join(matching).lower() + " pick, as you asked")
    people = {person.lower() for person in profile.people}
    starring = [person for person in item.people if person.lower() in people]
    if starring:
        reasons.append("with " + " and ".join(starring))
    if item.year and (profile.year_min is not None or profile.year_max is not None):
        reasons.append(f"from {item.year}, in the years you asked for")
    if profile.excluded_genres:
        reasons.append("no " + " or ".join(genre.lower() for genre in profile.excluded_genres))
    words = description_overlap(profile, item)
    if words:
        reasons.append("its story mentions " + ", ".join(f"'{word}'" for word in words))
    if not reasons:
        reasons.append("close to what you described")
    return reasons
