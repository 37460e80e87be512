"""Training pairs: prompt inputs and the human reply to learn, from ReDial or a JSONL file.

A recommendation pair comes from a ReDial recommender turn that suggests
movies. Its input is the seeker's preceding turns and the movies the turn
mentions. Its target is the recommender's own words, with each ``@id``
written as the title shown in the input. An acknowledgement pair is a recommender turn
without movies that answers the seeker's reaction to the previous
suggestion; the seeker's questionnaire gives the feedback labels.

JSONL form, one pair a line::

    {"task": "recommend", "context": "...", "reply": "...",
     "items": [{"title": "Aliens", "year": 1986, "genres": ["Action"]}]}

``task`` is optional ("recommend" by default); an "ack" item also carries
``"feedback"``: "liked", "disliked" or "seen".
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.generator.guard import FaithfulnessGuard
from bot.generator.matching import title_key
from bot.generator.prompt import FEEDBACK_KINDS, TASKS, PromptItem, Task, shorten_context
from bot.items import Catalog, Item
from bot.redial import Conversation, Message, RedialMovie, merge_turns, render_mentions, split_title_year

logger = logging.getLogger(__name__)

# Longer human replies are rare and slow to learn from; acknowledgements are meant to be short.
MAX_REPLY_WORDS = {"recommend": 50, "ack": 25}
# Seeker turns before a recommender turn that make up its context.
CONTEXT_TURNS = 2
# ReDial writes "@123 !" for a mention followed by punctuation.
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,!?;:])(?=\s|$)")
# ReDial questionnaire codes.
YES, NO, UNKNOWN = 1, 0, 2


@dataclass(frozen=True)
class Pair:
    """One training or evaluation example."""

    task: Task
    context: str
    items: tuple[PromptItem, ...]
    reply: str
    # Where the pair comes from, e.g. "redial:20001:3" (conversation id and turn number).
    source: str = ""

    def to_record(self) -> dict[str, Any]:
        items = []
        for item in self.items:
            record: dict[str, Any] = {"title": item.title, "year": item.year, "genres": list(item.genres)}
            if item.feedback:
                record["feedback"] = item.feedback
            items.append(record)
        return {"task": self.task, "context": self.context, "items": items, "reply": self.reply, "source": self.source}


class ItemLookup:
    """Finds the catalog facts of a ReDial movie: by its ReDial id, then by title and year."""

    def __init__(self, catalog: Catalog | None = None, movies: Mapping[str, RedialMovie] | None = None) -> None:
        self.movies = movies or {}
        self._by_redial_id: dict[str, Item] = {}
        self._by_title: dict[tuple[str, ...], list[Item]] = {}
        for item in catalog or ():
            redial_id = item.source_ids.get("redial")
            if redial_id:
                self._by_redial_id[redial_id] = item
            self._by_title.setdefault(title_key(item.title), []).append(item)
        self.hits = self.misses = 0

    def find(self, movie_id: str, name: str | None) -> PromptItem | None:
        """Return the prompt item for a ReDial movie, or None when it has no name anywhere."""
        if not name and movie_id in self.movies:
            name = self.movies[movie_id].name
        item = self._by_redial_id.get(movie_id)
        if item is None and name:
            title, year = split_title_year(name)
            candidates = self._by_title.get(title_key(title), [])
            item = next((c for c in candidates if year is None or (c.year and abs(c.year - year) <= 1)), None)
        if item is not None:
            self.hits += 1
            return PromptItem(title=item.title, year=item.year, genres=item.genres)
        if not name:
            return None
        self.misses += 1
        title, year = split_title_year(name)
        return PromptItem(title=title, year=year) if title else None


def _suggested(conversation: Conversation, movie_id: str) -> bool:
    answers = [conversation.recommender_questions.get(movie_id), conversation.seeker_questions.get(movie_id)]
    if not any(answers):
        # Without questionnaires every movie a recommender mentions counts as a suggestion.
        return not (conversation.recommender_questions or conversation.seeker_questions)
    return any(answer is not None and answer.suggested == YES for answer in answers)


def _feedback(conversation: Conversation, movie_id: str) -> str | None:
    answer = conversation.seeker_questions.get(movie_id)
    if answer is None:
        return None
    if answer.liked == YES:
        return "liked"
    if answer.liked == NO:
        return "disliked"
    if answer.seen == YES:
        return "seen"
    return None


def tidy(text: str) -> str:
    """Collapse whitespace and remove the space ReDial leaves before punctuation."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))


def _context(conversation: Conversation, turns: Sequence[Message], index: int) -> str:
    seeker_turns = [turn for turn in turns[:index] if turn.role == "seeker"][-CONTEXT_TURNS:]
    text = " ".join(render_mentions(turn.text, conversation.mentions, with_year=False) for turn in seeker_turns)
    return shorten_context(tidy(text))


def _reply(text: str, titles: Mapping[str, str], task: str) -> str | None:
    reply = tidy(render_mentions(text, titles, placeholder=""))
    if not reply or len(reply.split()) > MAX_REPLY_WORDS[task]:
        return None
    return reply


def conversation_pairs(conversation: Conversation, lookup: ItemLookup, *, include_acks: bool = True) -> list[Pair]:
    """Build the recommendation and acknowledgement pairs of one conversation."""
    turns = merge_turns(conversation.messages)
    pairs = []
    for index, turn in enumerate(turns):
        if turn.role != "recommender":
            continue
        source = f"redial:{conversation.id}:{index}"
        if turn.movie_ids:
            if not any(_suggested(conversation, movie_id) for movie_id in turn.movie_ids):
                continue
            found = {
                movie_id: lookup.find(movie_id, conversation.mentions.get(movie_id)) for movie_id in turn.movie_ids
            }
            if any(item is None for item in found.values()):
                continue
            items = tuple(item for item in found.values() if item is not None)
            reply = _reply(turn.text, {movie_id: item.title for movie_id, item in found.items() if item}, "recommend")
            if reply:
                pairs.append(Pair("recommend", _context(conversation, turns, index), items, reply, source))
        elif include_acks and index >= 2 and turns[index - 1].role == "seeker" and turns[index - 2].movie_ids:
            pair = _ack_pair(conversation, lookup, turns, index, source)
            if pair is not None:
                pairs.append(pair)
    return pairs


def _ack_pair(
    conversation: Conversation, lookup: ItemLookup, turns: Sequence[Message], index: int, source: str
) -> Pair | None:
    items = []
    for movie_id in turns[index - 2].movie_ids:
        feedback = _feedback(conversation, movie_id)
        if feedback is None or not _suggested(conversation, movie_id):
            continue
        item = lookup.find(movie_id, conversation.mentions.get(movie_id))
        if item is not None:
            items.append(PromptItem(item.title, item.year, item.genres, feedback))  # type: ignore[arg-type]
    reply = _reply(turns[index].text, {}, "ack")
    if not items or not reply:
        return None
    context = shorten_context(tidy(render_mentions(turns[index - 1].text, conversation.mentions, with_year=False)))
    return Pair("ack", context, tuple(items), reply, source)


def build_pairs(
    conversations: Iterable[Conversation], lookup: ItemLookup, *, include_acks: bool = True
) -> list[Pair]:
    """Build the pairs of every conversation, in conversation order."""
    hits_before, misses_before = lookup.hits, lookup.misses
    pairs = []
    for conversation in conversations:
        pairs.extend(conversation_pairs(conversation, lookup, include_acks=include_acks))
    counts = {task: sum(pair.task == task for pair in pairs) for task in TASKS}
    logger.info(
        "Built %s pairs; %d movie mentions matched the catalog, %d used ReDial's title",
        counts, lookup.hits - hits_before, lookup.misses - misses_before,
    )
    return pairs


def keep_faithful(pairs: Sequence[Pair], guard: FaithfulnessGuard) -> list[Pair]:
    """Drop pairs whose human reply fails the guard, such as a reply naming a movie typed without ``@``.

    Training on them would teach the model to name movies it was not given.
    """
    kept, reasons = [], Counter()
    for pair in pairs:
        result = guard.check(pair.reply, pair.items, require_all=pair.task == "recommend")
        if result.ok:
            kept.append(pair)
            continue
        reasons.update(["missing"] * bool(result.missing) + ["other titles"] * bool(result.extra))
        reasons.update(problem.split()[0] for problem in result.problems)
    logger.info("Kept %d of %d pairs whose reply passes the guard; failures: %s", len(kept), len(pairs), dict(reasons))
    return kept


def write_pairs(pairs: Iterable[Pair], path: str | Path) -> int:
    """Write ``pairs`` as JSONL and return how many were written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for pair in pairs:
            handle.write(json.dumps(pair.to_record(), ensure_ascii=False) + "\n")
            count += 1
    return count


def _fail(where: str, field_name: str, problem: str) -> ValueError:
    return ValueError(f"{where}: field '{field_name}' {problem}")


def _parse_item(raw: Any, where: str, task: str) -> PromptItem:
    if not isinstance(raw, dict):
        raise _fail(where, "items", f"has {raw!r}; each item must be an object with title, year and genres")
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise _fail(where, "items.title", f"is {title!r}; give the movie title as a non-empty string")
    year = raw.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise _fail(where, "items.year", f"is {year!r}; give a whole number such as 1986, or null")
    genres = raw.get("genres", [])
    if not isinstance(genres, list) or not all(isinstance(genre, str) for genre in genres):
        raise _fail(where, "items.genres", f"is {genres!r}; give a list of strings, possibly empty")
    feedback = raw.get("feedback")
    if task == "ack" and feedback not in FEEDBACK_KINDS:
        raise _fail(where, "items.feedback", f"is {feedback!r}; an ack item needs one of {list(FEEDBACK_KINDS)}")
    if task == "recommend" and feedback is not None:
        raise _fail(where, "items.feedback", f"is {feedback!r}; only ack pairs carry feedback, so remove it")
    return PromptItem(title=title.strip(), year=year, genres=tuple(genres), feedback=feedback)


def parse_pair(record: Any, where: str) -> Pair:
    """Validate one decoded JSONL record and build its :class:`Pair`."""
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected a JSON object with context, items and reply, found {record!r:.80}")
    task = record.get("task", "recommend")
    if task not in TASKS:
        raise _fail(where, "task", f"is {task!r}; expected one of {list(TASKS)}")
    context = record.get("context", "")
    if not isinstance(context, str):
        raise _fail(where, "context", f"is {context!r:.80}; give the user's preceding text as a string")
    reply = record.get("reply")
    if not isinstance(reply, str) or not reply.strip():
        raise _fail(where, "reply", f"is {reply!r:.80}; give the target reply as a non-empty string")
    raw_items = record.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise _fail(where, "items", f"is {raw_items!r:.80}; give a non-empty list of movies")
    items = tuple(_parse_item(raw, where, task) for raw in raw_items)
    source = record.get("source", "")
    return Pair(task, context, items, " ".join(reply.split()), str(source) if source else where)


def read_pairs(path: str | Path) -> list[Pair]:
    """Read and validate a pairs JSONL file; the error names the line, the field and the fix."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Pairs file {path} not found; pass a JSONL file of context, items and reply")
    pairs = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{where}: invalid JSON ({error}); write one JSON object per line") from error
            pairs.append(parse_pair(record, where))
    if not pairs:
        raise ValueError(f"{path} contains no pairs; write one JSON object per line")
    return pairs
