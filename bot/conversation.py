"""Profile building: merge what one user message states into the session profile.

The chat (:class:`bot.service.RecommenderService`) and the ReDial benchmark
both read user turns through :func:`update_profile`, so the benchmark measures
the same preference parsing, title resolution and people lookup as the chat.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from bot.preferences import PreferenceUpdate, parse_preferences, residual_description
from bot.profile import SessionProfile
from bot.titles import TitleResolver

logger = logging.getLogger(__name__)


class PeopleFinder(Protocol):
    """Anything that returns the catalog people named in a text, such as ``bot.engine.PeopleLookup``."""

    def find(self, text: str) -> list[str]: ...


def resolve_references(resolver: TitleResolver, update: PreferenceUpdate, text: str) -> tuple[list[str], list[str]]:
    """Return (ids of the items the message refers to, title texts that matched no item).

    Title texts after a cue ("like Alien") are resolved first; "A and B" that is
    no title itself is tried as two titles. Then every title that the resolver
    finds mentioned in the text is added.
    """
    missing: list[str] = []
    reference_ids: list[str] = []
    for title_text in update.title_texts:
        matches = resolver.resolve(title_text)
        if not matches and " and " in title_text:
            parts = [part for part in title_text.split(" and ") if part.strip()]
            part_matches = [resolver.resolve(part) for part in parts]
            matches = [found[0] for found in part_matches if found]
        if matches:
            reference_ids.extend(match.item.id for match in matches[:1] if " and " not in title_text)
            if " and " in title_text:
                reference_ids.extend(match.item.id for match in matches)
        else:
            missing.append(title_text)
    for match in resolver.find_mentions(text):
        if match.item.id not in reference_ids:
            reference_ids.append(match.item.id)
    return reference_ids, missing


def apply_preferences(
    profile: SessionProfile,
    update: PreferenceUpdate,
    text: str,
    resolver: TitleResolver,
    people: PeopleFinder,
) -> list[str]:
    """Merge ``update`` (parsed from ``text``) into ``profile``; return the title texts that matched no item."""
    reference_ids, missing = resolve_references(resolver, update, text)
    profile.add_unique("references", reference_ids)
    for genre in update.excluded_genres:
        if genre in profile.genres:
            profile.genres.remove(genre)
    profile.add_unique("excluded_genres", update.excluded_genres)
    for genre in update.genres:
        if genre in profile.excluded_genres:
            profile.excluded_genres.remove(genre)
    profile.add_unique("genres", update.genres)
    profile.add_unique("people", people.find(text))
    if update.year_min is not None or update.year_max is not None:
        profile.year_min, profile.year_max = update.year_min, update.year_max
    description = update.description
    for title_text in update.title_texts:
        # A resolved title steers the query through its item vector, and an
        # unknown one is no wish of its own, so neither stays in the text:
        # "like Alien" would otherwise pull in every film with "alien" in it.
        description = residual_description(description.replace(title_text, " "), [])
    if description:
        profile.add_description(description)
    return missing


def update_profile(
    profile: SessionProfile,
    text: str,
    resolver: TitleResolver,
    people: PeopleFinder,
    latest_year: int,
    entities: list[dict[str, Any]] | None = None,
) -> list[str]:
    """Parse one user message and merge it into ``profile``; return the title texts that matched no item.

    ``latest_year`` anchors relative eras such as "recent"; ``entities`` are the
    dialogue engine's entity hints, if any.
    """
    update = parse_preferences(text, entities, latest_year=latest_year)
    return apply_preferences(profile, update, text, resolver, people)
