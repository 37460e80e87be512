"""Systems ranked on the ReDial benchmark: the chat's ranker and the baselines.

Every system returns ReDial movie ids, best first, never one of the turn's
``excluded`` ids. Systems that embed text encode all their texts in one
batched pass in :meth:`prepare` before ranking.
"""

from __future__ import annotations

import logging
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
from tqdm import tqdm

from bot.bench.embed_cache import CachedEmbedder
from bot.bench.redial_catalog import item_id, movie_id
from bot.bench.redial_turns import RenderedTurn, ScoringTurn
from bot.conversation import PeopleFinder, update_profile
from bot.index import VectorIndex
from bot.items import Catalog
from bot.profile import SessionProfile
from bot.ranking import Ranker, query_text
from bot.redial import MENTION_PATTERN, Conversation, RedialMovie
from bot.titles import TitleResolver

logger = logging.getLogger(__name__)


class TurnRanker(Protocol):
    """A system under test. ``name`` labels it in the result tables."""

    name: str

    def prepare(self, turns: Sequence[ScoringTurn]) -> None: ...

    def rank(self, turn: ScoringTurn, k: int) -> list[str]: ...


def _take(candidates: Iterable[str], excluded: frozenset[str], k: int) -> list[str]:
    ranking: list[str] = []
    for candidate in candidates:
        if candidate not in excluded:
            ranking.append(candidate)
            if len(ranking) == k:
                break
    return ranking


class RandomRanker:
    """Uniformly random movies, seeded per turn so that every run ranks the same."""

    def __init__(self, movie_ids: Sequence[str], seed: int = 0, name: str = "random") -> None:
        self.name = name
        self._movie_ids = np.array(list(movie_ids))
        self._seed = seed

    def prepare(self, turns: Sequence[ScoringTurn]) -> None:
        return None

    def rank(self, turn: ScoringTurn, k: int) -> list[str]:
        key = zlib.crc32(f"{turn.conversation_id}:{turn.turn_index}".encode())
        rng = np.random.default_rng([self._seed, key])
        sample = rng.choice(len(self._movie_ids), size=min(len(self._movie_ids), k + len(turn.excluded)), replace=False)
        return _take(self._movie_ids[sample].tolist(), turn.excluded, k)


class PopularityRanker:
    """The most-counted movies first, whatever the conversation contains; ties keep movie-list order."""

    def __init__(self, counts: Mapping[str, float], movie_ids: Sequence[str], name: str) -> None:
        self.name = name
        order = {movie: position for position, movie in enumerate(movie_ids)}
        self._ranking = sorted(movie_ids, key=lambda movie: (-counts.get(movie, 0.0), order[movie]))

    def prepare(self, turns: Sequence[ScoringTurn]) -> None:
        return None

    def rank(self, turn: ScoringTurn, k: int) -> list[str]:
        return _take(self._ranking, turn.excluded, k)


class RepeatRanker:
    """The movies already mentioned in the conversation, most recent first, and nothing else."""

    name = "repeat earlier mentions"

    def prepare(self, turns: Sequence[ScoringTurn]) -> None:
        return None

    def rank(self, turn: ScoringTurn, k: int) -> list[str]:
        return _take(turn.mentioned_before, turn.excluded, k)


class DenseLastMessageRanker:
    """Nearest catalog items to the embedding of the seeker's latest message."""

    name = "dense retrieval, last user message"

    def __init__(self, catalog: Catalog, index: VectorIndex, embedder: CachedEmbedder) -> None:
        self._catalog = catalog
        self._index = index
        self._embedder = embedder

    def prepare(self, turns: Sequence[ScoringTurn]) -> None:
        self._embedder.prime([turn.last_seeker_text for turn in turns if turn.last_seeker_text])

    def rank(self, turn: ScoringTurn, k: int) -> list[str]:
        if not turn.last_seeker_text:
            return []
        query = self._embedder.encode_one(turn.last_seeker_text)
        rows, _scores = self._index.search(query, k + len(turn.excluded))
        return _take((movie_id(self._catalog[row].id) for row in rows.tolist()), turn.excluded, k)


class ConversationReplay:
    """Replays conversations into the :class:`SessionProfile` the chat would hold before each scoring turn.

    Seeker turns go through :func:`bot.conversation.update_profile`, exactly as
    chat messages do. Movies the recommender mentioned count as shown, as the
    chat records what it showed.
    """

    def __init__(self, catalog: Catalog, resolver: TitleResolver, people: PeopleFinder, latest_year: int) -> None:
        self._catalog = catalog
        self._resolver = resolver
        self._people = people
        self._latest_year = latest_year
        self._profiles: dict[tuple[str, int], SessionProfile] = {}

    def apply_turn(self, profile: SessionProfile, turn: RenderedTurn) -> None:
        """Update ``profile`` with one turn of either speaker."""
        if turn.role == "seeker":
            update_profile(profile, turn.text, self._resolver, self._people, self._latest_year)
            return
        shown = [item_id(movie) for movie in turn.movie_ids if item_id(movie) in self._catalog]
        profile.add_unique("shown", shown)

    def replay(self, history: Sequence[RenderedTurn]) -> SessionProfile:
        """Return the profile the chat would hold after ``history``."""
        profile = SessionProfile()
        for turn in history:
            self.apply_turn(profile, turn)
        return profile

    def prepare(self, turns: Sequence[ScoringTurn]) -> None:
        """Replay each conversation once and keep a copy of the profile at each of its scoring turns."""
        by_conversation: dict[str, list[ScoringTurn]] = defaultdict(list)
        for turn in turns:
            if (turn.conversation_id, turn.turn_index) not in self._profiles:
                by_conversation[turn.conversation_id].append(turn)
        if not by_conversation:
            return
        for conversation_turns in tqdm(by_conversation.values(), desc="Replaying conversations", unit="conv"):
            wanted = {turn.turn_index for turn in conversation_turns}
            longest = max(conversation_turns, key=lambda turn: turn.turn_index)
            profile = SessionProfile()
            for index, rendered in enumerate(longest.history):
                if index in wanted:
                    self._profiles[(longest.conversation_id, index)] = SessionProfile.from_dict(profile.to_dict())
                self.apply_turn(profile, rendered)
            self._profiles[(longest.conversation_id, longest.turn_index)] = profile

    def profile_for(self, turn: ScoringTurn) -> SessionProfile:
        """Return the profile before ``turn``; the caller must not change it."""
        key = (turn.conversation_id, turn.turn_index)
        if key not in self._profiles:
            self._profiles[key] = self.replay(turn.history)
        return self._profiles[key]


class ChatRanker:
    """The chat's own path: the replayed :class:`SessionProfile`, ranked by ``Ranker.recommend``."""

    def __init__(self, ranker: Ranker, replay: ConversationReplay, name: str) -> None:
        if not isinstance(ranker.embedder, CachedEmbedder):
            raise TypeError("ChatRanker needs a ranker over a CachedEmbedder, so that query texts can be batched")
        self.name = name
        self.ranker = ranker
        self.replay = replay

    def prepare(self, turns: Sequence[ScoringTurn]) -> None:
        """Replay the conversations, then embed every query text in one batched pass."""
        self.replay.prepare(turns)
        texts = (query_text(self.replay.profile_for(turn)) for turn in turns)
        self.ranker.embedder.prime(text for text in texts if text)

    def rank(self, turn: ScoringTurn, k: int) -> list[str]:
        profile = self.replay.profile_for(turn)
        candidates = self.ranker.recommend(profile, k + len(turn.excluded))
        return _take((movie_id(candidate.item.id) for candidate in candidates), turn.excluded, k)


def train_mention_counts(movies: Mapping[str, RedialMovie], test_conversations: Iterable[Conversation]) -> Counter:
    """Estimate each movie's mentions outside the test split: ``nbMentions`` minus its test mentions.

    ``nbMentions`` in ``movies_with_mentions.csv`` counts the training and test
    conversations together. Subtracting every ``@id`` occurrence in the test
    messages leaves counts from the training conversations only, so no test
    conversation leaks into a ranking. Pass the whole test file, not a subset.
    """
    test_counts: Counter = Counter()
    for conversation in test_conversations:
        for message in conversation.messages:
            test_counts.update(MENTION_PATTERN.findall(message.text))
    counts: Counter = Counter()
    for movie in movies.values():
        counts[movie.id] = max(0, movie.mention_count - test_counts[movie.id])
    return counts
