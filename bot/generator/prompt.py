"""Prompt format shared by training, generation and evaluation.

A prompt is a short chat in the SmolLM2 template: a system line with the task
and a user line with the conversation context and the movies to phrase. The
fine-tuned adapter learned exactly this layout, so change it only together
with a retrained adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Task = Literal["recommend", "ack"]
Feedback = Literal["liked", "disliked", "seen"]
TASKS: tuple[str, ...] = ("recommend", "ack")
FEEDBACK_KINDS: tuple[str, ...] = ("liked", "disliked", "seen")

# Context is cut to its last characters so that a prompt stays near 100 tokens,
# which keeps generation latency low on a CPU.
MAX_CONTEXT_CHARS = 240
MAX_GENRES = 2
NO_CONTEXT = "(nothing yet)"

RECOMMEND_SYSTEM = (
    "You are a movie fan chatting with a friend. Recommend the listed movies in one or two short "
    "sentences. Name every listed movie and no other movie."
)
ACK_SYSTEM = (
    "You are a movie fan chatting with a friend. Reply to their feedback in one short sentence. "
    "Do not name any other movie."
)
# Labels of the user line. The guard treats a reply that contains them as an echo of the prompt.
CONTEXT_LABEL = "Friend:"
MOVIES_LABEL = "Movies:"
FEEDBACK_LABELS: dict[str, str] = {"liked": "Liked:", "disliked": "Disliked:", "seen": "Seen:"}
PROMPT_LABELS: tuple[str, ...] = (CONTEXT_LABEL, MOVIES_LABEL, *FEEDBACK_LABELS.values())


@dataclass(frozen=True)
class PromptItem:
    """A movie as the prompt presents it, and the user's feedback on it for acknowledgements."""

    title: str
    year: int | None = None
    genres: tuple[str, ...] = ()
    feedback: Feedback | None = None

    def describe(self) -> str:
        """Return "Title (1986, action, sci-fi)", or the bare title without facts."""
        facts = [str(self.year)] if self.year else []
        facts.extend(genre.lower() for genre in self.genres[:MAX_GENRES])
        return f"{self.title} ({', '.join(facts)})" if facts else self.title


def shorten_context(text: str, max_chars: int = MAX_CONTEXT_CHARS) -> str:
    """Collapse whitespace and keep the last ``max_chars`` characters, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    tail = text[-max_chars:]
    space = tail.find(" ")
    return tail[space + 1 :] if 0 <= space < len(tail) - 1 else tail


def _context_line(context: str) -> str:
    return f"{CONTEXT_LABEL} {shorten_context(context) or NO_CONTEXT}"


def recommend_messages(context: str, items: Sequence[PromptItem], *, strict: bool = False) -> list[dict[str, str]]:
    """Build the chat that asks for a reply presenting ``items``.

    ``strict`` builds the retry prompt used after a reply failed the guard: it
    drops the context, which is where unrelated titles come from, and spells
    out the titles to name.
    """
    movies = "; ".join(item.describe() for item in items)
    if strict:
        titles = " and ".join(item.title for item in items)
        user = f"{_context_line(f'Any ideas? Tell me about {titles}.')}\n{MOVIES_LABEL} {movies}"
    else:
        user = f"{_context_line(context)}\n{MOVIES_LABEL} {movies}"
    return [{"role": "system", "content": RECOMMEND_SYSTEM}, {"role": "user", "content": user}]


def ack_messages(context: str, items: Sequence[PromptItem]) -> list[dict[str, str]]:
    """Build the chat that asks for a short acknowledgement of the feedback on ``items``."""
    lines = [_context_line(context)]
    for kind in FEEDBACK_KINDS:
        titles = [item.describe() for item in items if item.feedback == kind]
        if titles:
            lines.append(f"{FEEDBACK_LABELS[kind]} {'; '.join(titles)}")
    return [{"role": "system", "content": ACK_SYSTEM}, {"role": "user", "content": "\n".join(lines)}]


def build_messages(task: Task, context: str, items: Sequence[PromptItem]) -> list[dict[str, str]]:
    """Build the prompt chat for ``task`` ("recommend" or "ack")."""
    if task == "recommend":
        return recommend_messages(context, items)
    if task == "ack":
        return ack_messages(context, items)
    raise ValueError(f"Invalid task '{task}'; expected one of {list(TASKS)}")
