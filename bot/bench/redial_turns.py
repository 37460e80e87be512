"""Scoring turns of the ReDial recommendation task.

The standard protocol (KBRD, Chen et al. 2019; KGSF, Zhou et al. 2020;
UniCRS, Wang et al. 2022) scores every recommender turn that mentions movies:
those movies are the targets, and the conversation before the turn, with each
``@id`` replaced by the movie's title, is the input. Consecutive messages of
one speaker are merged into one turn first.

The no-repeat protocol (Kostric & Balog's re-run of those systems) drops
targets that were already mentioned earlier in the conversation, skips turns
left without targets, and removes earlier mentions from every ranking.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.redial import Conversation, RedialMovie, Role, merge_turns, render_mentions

logger = logging.getLogger(__name__)

Protocol = Literal["standard", "no_repeat"]
PROTOCOLS: tuple[Protocol, ...] = ("standard", "no_repeat")


@dataclass(frozen=True)
class RenderedTurn:
    """One merged turn with mentions rendered as titles, and the ReDial ids it mentions."""

    role: Role
    text: str
    movie_ids: tuple[str, ...]


@dataclass(frozen=True)
class ScoringTurn:
    """One recommender turn to score: the input before it and the movies it mentions.

    ``history`` contains the rendered turns before this one, oldest first.
    ``mentioned_before`` contains the ReDial ids mentioned in ``history``, most
    recent first. ``excluded`` is what the protocol removes from rankings.
    """

    conversation_id: str
    turn_index: int
    history: tuple[RenderedTurn, ...]
    targets: tuple[str, ...]
    mentioned_before: tuple[str, ...]
    excluded: frozenset[str]

    @property
    def last_seeker_text(self) -> str:
        """Text of the latest seeker turn before this one, or "" when the seeker has not spoken."""
        for turn in reversed(self.history):
            if turn.role == "seeker":
                return turn.text
        return ""


def render_conversation(conversation: Conversation, movies: Mapping[str, RedialMovie]) -> list[RenderedTurn]:
    """Merge a conversation's messages into turns and render each ``@id`` as "Title (year)"."""
    turns = []
    for message in merge_turns(conversation.messages):
        text = render_mentions(message.text, conversation.mentions, movies, with_year=True)
        turns.append(RenderedTurn(role=message.role, text=text, movie_ids=message.movie_ids))
    return turns


def scoring_turns(
    conversation: Conversation, movies: Mapping[str, RedialMovie], protocol: Protocol
) -> list[ScoringTurn]:
    """Return the turns of ``conversation`` that ``protocol`` scores, in conversation order."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"Unknown protocol '{protocol}'; expected one of {list(PROTOCOLS)}")
    turns = render_conversation(conversation, movies)
    scored: list[ScoringTurn] = []
    # Ids in order of their latest mention, most recent last.
    mentioned: dict[str, None] = {}
    for index, turn in enumerate(turns):
        if turn.role == "recommender" and turn.movie_ids:
            targets = turn.movie_ids
            excluded: frozenset[str] = frozenset()
            if protocol == "no_repeat":
                targets = tuple(movie_id for movie_id in targets if movie_id not in mentioned)
                excluded = frozenset(mentioned)
            if targets:
                scored.append(
                    ScoringTurn(
                        conversation_id=conversation.id,
                        turn_index=index,
                        history=tuple(turns[:index]),
                        targets=targets,
                        mentioned_before=tuple(reversed(mentioned)),
                        excluded=excluded,
                    )
                )
        for movie_id in turn.movie_ids:
            mentioned.pop(movie_id, None)
            mentioned[movie_id] = None
    return scored


def collect_scoring_turns(
    conversations: Sequence[Conversation], movies: Mapping[str, RedialMovie], protocol: Protocol
) -> list[ScoringTurn]:
    """Return the scoring turns of every conversation under ``protocol``."""
    turns = [turn for conversation in conversations for turn in scoring_turns(conversation, movies, protocol)]
    pairs = sum(len(turn.targets) for turn in turns)
    logger.info(
        "%s protocol: %d scoring turns, %d (turn, target) pairs in %d conversations",
        protocol, len(turns), pairs, len(conversations),
    )
    return turns
