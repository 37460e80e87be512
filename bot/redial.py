"""ReDial conversations: loading, mention rendering, turn merging and the held-out split.

ReDial (Li et al., "Towards Deep Conversational Recommendations", NeurIPS 2018,
CC BY 4.0) pairs a seeker who requests movies with a recommender who suggests
them. Movies appear in the text as ``@<id>``; ``movieMentions`` maps each id
to a title such as ``"Police Academy  (1984)"``.

This module only uses the standard library, so the CLI can import it cheaply.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONVERSATIONS_PATH = PROJECT_ROOT / "data" / "redial" / "test_data.jsonl"
DEFAULT_MOVIES_PATH = PROJECT_ROOT / "data" / "redial" / "movies_with_mentions.csv"
DEFAULT_HELDOUT_PATH = PROJECT_ROOT / "data" / "redial" / "heldout_conversations.txt"

# A conversation is held out when sha256(id) mod HELDOUT_MODULUS < HELDOUT_BUCKETS (about 30%).
HELDOUT_MODULUS = 10
HELDOUT_BUCKETS = 3

# Text used for a mention whose id is in neither the conversation nor the movie list.
UNKNOWN_MOVIE = "a movie"

MENTION_PATTERN = re.compile(r"@(\d+)")
# "Title (1999)", "Title  (1999)" or "Title" with trailing spaces.
_TITLE_YEAR_PATTERN = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})\)\s*$")
_MOVIE_LIST_COLUMNS = ("movieId", "movieName", "nbMentions")

Role = Literal["seeker", "recommender"]


@dataclass(frozen=True)
class Message:
    """One message, or several merged ones, with the ids of the movies it mentions."""

    role: Role
    text: str
    movie_ids: tuple[str, ...] = ()
    message_id: int | None = None
    time_offset: int | None = None


@dataclass(frozen=True)
class MovieAnswers:
    """A participant's questionnaire answers about one movie.

    Each field is 0 (no), 1 (yes) or 2 (did not say), as in ReDial.
    """

    suggested: int
    seen: int
    liked: int


@dataclass(frozen=True)
class Conversation:
    """One ReDial dialogue between a seeker and a recommender."""

    id: str
    seeker_id: int
    recommender_id: int
    messages: tuple[Message, ...]
    # Movie id to title as written in ReDial, e.g. "Police Academy  (1984)".
    mentions: dict[str, str] = field(default_factory=dict)
    seeker_questions: dict[str, MovieAnswers] = field(default_factory=dict)
    recommender_questions: dict[str, MovieAnswers] = field(default_factory=dict)


@dataclass(frozen=True)
class RedialMovie:
    """One row of ``movies_with_mentions.csv``."""

    id: str
    name: str  # with the year, single-spaced and percent-decoded: "Headhunter (2009)"
    title: str  # name without the year: "Headhunter"
    year: int | None
    mention_count: int  # counts train and test together, so not a leak-free popularity


def split_title_year(name: str) -> tuple[str, int | None]:
    """Split a ReDial movie name into a title with single spaces and its year, if any."""
    name = _clean_name(name)
    match = _TITLE_YEAR_PATTERN.match(name)
    if match is None:
        return name, None
    return match.group("title").strip(), int(match.group("year"))


def _clean_name(name: str) -> str:
    # ReDial writes some characters percent-encoded: "What About Bob%3F (1991)".
    return " ".join(unquote(name).split())


def render_mentions(
    text: str,
    mentions: Mapping[str, str],
    movies: Mapping[str, RedialMovie] | None = None,
    *,
    with_year: bool = True,
    placeholder: str = UNKNOWN_MOVIE,
) -> str:
    """Replace each ``@<id>`` in ``text`` by the movie's title.

    The title comes from the conversation's ``mentions``, then from ``movies``
    (the movie list), and otherwise ``placeholder`` is used, so rendering never
    fails. With ``with_year=False`` a trailing "(1984)" is dropped.
    """

    def replace(match: re.Match[str]) -> str:
        movie_id = match.group(1)
        name = mentions.get(movie_id)
        if not name and movies is not None and movie_id in movies:
            name = movies[movie_id].name
        if not name or not name.strip():
            logger.debug("Movie id %s has no title; using the placeholder", movie_id)
            return placeholder
        if with_year:
            return _clean_name(name)
        return split_title_year(name)[0]

    return MENTION_PATTERN.sub(replace, text)


def mentioned_ids(text: str) -> tuple[str, ...]:
    """Return the movie ids mentioned in ``text``, in order of first mention."""
    return tuple(dict.fromkeys(MENTION_PATTERN.findall(text)))


def merge_turns(messages: Iterable[Message]) -> list[Message]:
    """Merge consecutive messages of the same speaker into one turn.

    Texts are joined with a space and movie ids keep their first-mention order.
    A merged turn keeps the id and time offset of its first message.
    """
    turns: list[Message] = []
    for message in messages:
        if turns and turns[-1].role == message.role:
            previous = turns[-1]
            turns[-1] = Message(
                role=previous.role,
                text=f"{previous.text} {message.text}".strip(),
                movie_ids=tuple(dict.fromkeys(previous.movie_ids + message.movie_ids)),
                message_id=previous.message_id,
                time_offset=previous.time_offset,
            )
        else:
            turns.append(message)
    return turns


def _parse_answers(raw: Any, where: str) -> dict[str, MovieAnswers]:
    # ReDial stores an empty questionnaire as [] instead of {}.
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: questionnaire is a {type(raw).__name__}, expected an object of movie ids")
    answers = {}
    for movie_id, labels in raw.items():
        try:
            answers[str(movie_id)] = MovieAnswers(
                suggested=int(labels["suggested"]), seen=int(labels["seen"]), liked=int(labels["liked"])
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"{where}: answers for movie {movie_id} are invalid ({labels!r}); "
                "expected suggested, seen and liked as 0, 1 or 2"
            ) from error
    return answers


def parse_conversation(record: Mapping[str, Any], where: str = "conversation") -> Conversation:
    """Build a :class:`Conversation` from one decoded ``test_data.jsonl`` line."""
    try:
        conversation_id = str(record["conversationId"])
        seeker_id = int(record["initiatorWorkerId"])
        recommender_id = int(record["respondentWorkerId"])
        raw_messages = record["messages"]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"{where}: missing or invalid field ({error}); expected conversationId, "
            "initiatorWorkerId, respondentWorkerId and messages as in ReDial"
        ) from error

    messages = []
    for raw in raw_messages:
        sender = raw.get("senderWorkerId")
        if sender == seeker_id:
            role: Role = "seeker"
        elif sender == recommender_id:
            role = "recommender"
        else:
            logger.warning(
                "%s: message %s comes from worker %s, who is neither participant; skipped",
                where,
                raw.get("messageId"),
                sender,
            )
            continue
        text = str(raw.get("text", ""))
        messages.append(
            Message(
                role=role,
                text=text,
                movie_ids=mentioned_ids(text),
                message_id=raw.get("messageId"),
                time_offset=raw.get("timeOffset"),
            )
        )

    mentions = {str(key): str(value) for key, value in (record.get("movieMentions") or {}).items() if value}
    return Conversation(
        id=conversation_id,
        seeker_id=seeker_id,
        recommender_id=recommender_id,
        messages=tuple(messages),
        mentions=mentions,
        seeker_questions=_parse_answers(record.get("initiatorQuestions"), f"{where} initiatorQuestions"),
        recommender_questions=_parse_answers(record.get("respondentQuestions"), f"{where} respondentQuestions"),
    )


def load_conversations(path: str | Path = DEFAULT_CONVERSATIONS_PATH) -> list[Conversation]:
    """Load every conversation of a ReDial JSONL file, such as ``test_data.jsonl``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"ReDial conversations file {path} not found; pass the path of ReDial's test_data.jsonl"
        )
    conversations = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{where}: invalid JSON ({error}); each line must be one conversation") from error
            conversations.append(parse_conversation(record, where))
    logger.info("Loaded %d ReDial conversations from %s", len(conversations), path)
    return conversations


def load_movie_list(path: str | Path = DEFAULT_MOVIES_PATH) -> dict[str, RedialMovie]:
    """Load ``movies_with_mentions.csv`` as movie id to :class:`RedialMovie`, in file order."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"ReDial movie list {path} not found; pass the path of movies_with_mentions.csv")
    movies: dict[str, RedialMovie] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in _MOVIE_LIST_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f"{path}: missing columns {missing} in header {reader.fieldnames}; "
                f"expected {', '.join(_MOVIE_LIST_COLUMNS)}"
            )
        for row in reader:
            where = f"{path}:{reader.line_num}"
            try:
                mention_count = int(row["nbMentions"])
            except (TypeError, ValueError) as error:
                raise ValueError(f"{where}: nbMentions {row['nbMentions']!r} is not an integer") from error
            movie_id = (row["movieId"] or "").strip()
            if not movie_id:
                raise ValueError(f"{where}: empty movieId; every row needs ReDial's numeric movie id")
            title, year = split_title_year(row["movieName"] or "")
            movies[movie_id] = RedialMovie(
                id=movie_id, name=_clean_name(row["movieName"] or ""), title=title, year=year,
                mention_count=mention_count,
            )
    logger.info("Loaded %d ReDial movies from %s", len(movies), path)
    return movies


def is_heldout(conversation_id: str) -> bool:
    """Return whether a conversation belongs to the held-out split.

    The rule is fixed so that every tool gets the same split without the file:
    held out iff ``int(sha256(id).hexdigest(), 16) % 10 < 3``.
    """
    digest = hashlib.sha256(str(conversation_id).encode("utf-8")).hexdigest()
    return int(digest, 16) % HELDOUT_MODULUS < HELDOUT_BUCKETS


def heldout_ids(path: str | Path = DEFAULT_HELDOUT_PATH) -> set[str]:
    """Read the held-out conversation ids written by ``python -m bot redial split``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Held-out split {path} not found; create it with `python -m bot redial split`"
        )
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def split_conversations(
    conversations: Sequence[Conversation], heldout: set[str] | None = None
) -> tuple[list[Conversation], list[Conversation]]:
    """Split conversations into (tuning, held-out); ``heldout`` defaults to the hash rule."""
    tuning, heldout_part = [], []
    for conversation in conversations:
        in_heldout = conversation.id in heldout if heldout is not None else is_heldout(conversation.id)
        (heldout_part if in_heldout else tuning).append(conversation)
    return tuning, heldout_part


def write_heldout(conversations: Sequence[Conversation], path: str | Path = DEFAULT_HELDOUT_PATH) -> list[str]:
    """Write the sorted held-out ids of ``conversations``, one per line, and return them."""
    ids = sorted(c.id for c in conversations if is_heldout(c.id))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{conversation_id}\n" for conversation_id in ids), encoding="utf-8")
    logger.info("Wrote %d of %d conversation ids to %s", len(ids), len(conversations), path)
    return ids


def _run_split(args: argparse.Namespace) -> int:
    conversations = load_conversations(args.data)
    ids = write_heldout(conversations, args.out)
    print(f"{len(ids)} of {len(conversations)} conversations held out; ids written to {args.out}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``redial`` commands to the ``redial`` command's sub-parser action."""
    split = subparsers.add_parser(
        "split",
        help="write the held-out conversation ids (sha256 of the id mod 10 < 3)",
        description="Write the ids of the held-out ReDial conversations, sorted, one per line.",
    )
    split.add_argument(
        "--data", type=Path, default=DEFAULT_CONVERSATIONS_PATH,
        help="ReDial conversations file (test_data.jsonl)",
    )
    split.add_argument("--out", type=Path, default=DEFAULT_HELDOUT_PATH, help="output file for the held-out ids")
    split.set_defaults(handler=_run_split)
