"""Reply writer backed by the fine-tuned generator, with the guard and a time budget.

Every reply is checked by :class:`FaithfulnessGuard`. A recommendation that
fails is generated once more from the strict prompt, and if that fails too, or
the time budget runs out, the fallback writer (the templates) answers. So a
user sees either a generated reply that passed the guard or a template reply.

Generation runs in one worker thread. The caller waits at most
``settings.writer_budget_s``; generation also stops itself at that deadline,
and a reply that arrives late is discarded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass, field
from pathlib import Path

from bot.generator.files import ADAPTER_SUBDIR, BASE_SUBDIR, generator_dir
from bot.generator.guard import FaithfulnessGuard, GuardResult
from bot.generator.model import ReplyModel
from bot.generator.prompt import PromptItem, ack_messages, recommend_messages, shorten_context
from bot.items import Item
from bot.replies.base import FeedbackAck, RecommendationRequest, ReplyWriter
from bot.settings import Settings

logger = logging.getLogger(__name__)

MAX_NEW_TOKENS = 48
# On 20 held-out prompts (`python -m bot generator evaluate`, one thread, shared
# 2-core VM) bfloat16 gave p50 0.80 s and p95 1.38 s against 0.84 s and 1.98 s
# for float32, with 85% of greedy replies identical. int8 was faster (0.33 s)
# but changed every reply, so it is not the default.
DEFAULT_PRECISION = "bf16"
ACK_MAX_NEW_TOKENS = 24
# User turns of the history, besides the current message, that form the prompt context.
HISTORY_TURNS = 1


@dataclass
class Outcome:
    """Result of one reply: the text to show (None when the fallback must reply) and each guard verdict."""

    text: str | None
    first: GuardResult | None = None
    retry: GuardResult | None = None
    fallback_reason: str = ""
    seconds: float = 0.0
    generations: list[str] = field(default_factory=list)


def prompt_item(item: Item, feedback: str | None = None) -> PromptItem:
    """Return the prompt view of a catalog item."""
    return PromptItem(title=item.title, year=item.year, genres=item.genres, feedback=feedback)  # type: ignore[arg-type]


def request_context(request: RecommendationRequest) -> str:
    """Return the user's recent words: the last user turn of the history and the current message."""
    user_turns = [text for speaker, text in request.history if speaker == "user" and text.strip()]
    message = request.user_message.strip()
    if user_turns and user_turns[-1].strip() == message:
        user_turns = user_turns[:-1]
    parts = user_turns[-HISTORY_TURNS:] + ([message] if message else [])
    if not parts and request.preference_summary:
        parts = [f"I'd like something {request.preference_summary}."]
    return shorten_context(" ".join(parts))


def _prompt_text(messages: list[dict[str, str]]) -> str:
    return "\n".join(message["content"] for message in messages)


@dataclass
class _Loaded:
    model: ReplyModel
    guard: FaithfulnessGuard


class GeneratorWriter:
    """Reply writer backed by the generator; ``fallback`` replies whenever a reply is not safe or not in time."""

    name = "generator"

    def __init__(
        self,
        settings: Settings,
        fallback: ReplyWriter,
        *,
        model_loader: Callable[[], ReplyModel] | None = None,
        titles: Iterable[str] | None = None,
        genre_labels: Iterable[str] = (),
        precision: str = DEFAULT_PRECISION,
        max_new_tokens: int = MAX_NEW_TOKENS,
    ) -> None:
        if settings.writer_budget_s <= 0:
            raise ValueError(
                f"BOT_WRITER_BUDGET_S is {settings.writer_budget_s}; give the generator a positive number of seconds"
            )
        self.settings = settings
        self.fallback = fallback
        self.budget_s = settings.writer_budget_s
        self.max_new_tokens = max_new_tokens
        self.precision = precision
        self._model_loader = model_loader
        self._titles = list(titles) if titles is not None else None
        self._genre_labels = list(genre_labels)
        self._loaded: _Loaded | None = None
        self._load_error: Exception | None = None
        self._load_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="generator")
        # Fallbacks by reason, for logs and evaluation.
        self.fallbacks: Counter[str] = Counter()

    # --- loading -------------------------------------------------------------------------------

    def _load_model(self) -> ReplyModel:
        if self._model_loader is not None:
            return self._model_loader()
        folder = generator_dir(self.settings.models_dir)
        base_dir = folder / BASE_SUBDIR
        if not (base_dir / "model.safetensors").is_file():
            from bot.generator.files import prepare_base

            logger.warning("Generator base model missing in %s; converting it from the GGUF file now", base_dir)
            prepare_base(base_dir)
        adapter_dir: Path | None = folder / ADAPTER_SUBDIR
        if not (adapter_dir / "adapter_config.json").is_file():
            logger.warning("No LoRA adapter in %s; the generator uses the base model", adapter_dir)
            adapter_dir = None
        return ReplyModel.load(base_dir, adapter_dir, precision=self.precision)

    def _load_guard(self) -> FaithfulnessGuard:
        """Build the guard from the given titles, or from every title and genre of the catalog."""
        if self._titles is not None:
            return FaithfulnessGuard(self._titles, self._genre_labels)
        from bot.catalog import load_catalog

        catalog = load_catalog(self.settings.catalog_path)
        genres = {genre for item in catalog for genre in item.genres}
        return FaithfulnessGuard([item.title for item in catalog], genres)

    def _ensure_loaded(self) -> _Loaded:
        """Load the model and the guard once; a failed load is remembered and re-raised."""
        with self._load_lock:
            if self._loaded is not None:
                return self._loaded
            if self._load_error is not None:
                raise RuntimeError(f"the generator failed to load earlier: {self._load_error}") from self._load_error
            try:
                started = time.perf_counter()
                guard = self._load_guard()
                self._loaded = _Loaded(model=self._load_model(), guard=guard)
                logger.info(
                    "Generator writer ready in %.1f s; the guard knows %d titles",
                    time.perf_counter() - started, len(guard.catalog),
                )
            except Exception as error:
                self._load_error = error
                logger.exception("Loading the generator failed; the fallback writer will write every reply")
                raise
            return self._loaded

    def load(self) -> None:
        """Load the model and the guard now, in the calling thread."""
        self._ensure_loaded()

    def preload(self) -> None:
        """Start loading in the worker thread, so that the first reply does not wait for it."""
        self._executor.submit(self._ensure_loaded)

    # --- generation ----------------------------------------------------------------------------

    @staticmethod
    def _is_late(deadline: float, cancel: threading.Event) -> bool:
        return cancel.is_set() or time.monotonic() >= deadline

    def _recommend(self, items: list[PromptItem], context: str, deadline: float, cancel: threading.Event) -> Outcome:
        loaded = self._ensure_loaded()
        outcome = Outcome(text=None, fallback_reason="timed out")
        attempts = (
            ("first", recommend_messages(context, items)),
            ("retry", recommend_messages(context, items, strict=True)),
        )
        for attempt, messages in attempts:
            if self._is_late(deadline, cancel):
                return outcome
            generation = loaded.model.generate(
                messages, max_new_tokens=self.max_new_tokens, deadline=deadline, cancel=cancel
            )
            outcome.generations.append(generation.text)
            if generation.stopped:
                return outcome
            result = loaded.guard.check(
                generation.text, items, context=_prompt_text(messages), truncated=generation.truncated
            )
            setattr(outcome, attempt, result)
            if result.ok:
                outcome.text = result.text
                outcome.fallback_reason = ""
                return outcome
            logger.info("Generated reply failed the guard on the %s attempt: %s", attempt, result.reason)
        outcome.fallback_reason = f"guard: {outcome.retry.reason if outcome.retry else ''}"
        return outcome

    def _acknowledge(self, items: list[PromptItem], context: str, deadline: float, cancel: threading.Event) -> Outcome:
        loaded = self._ensure_loaded()
        outcome = Outcome(text=None, fallback_reason="timed out")
        if self._is_late(deadline, cancel):
            return outcome
        messages = ack_messages(context, items)
        generation = loaded.model.generate(
            messages, max_new_tokens=ACK_MAX_NEW_TOKENS, deadline=deadline, cancel=cancel
        )
        outcome.generations.append(generation.text)
        if generation.stopped:
            return outcome
        # An acknowledgement may name its items or not, but no other title.
        result = loaded.guard.check(
            generation.text, items, require_all=False, context=_prompt_text(messages), truncated=generation.truncated
        )
        outcome.first = result
        if result.ok:
            outcome.text = result.text
            outcome.fallback_reason = ""
        else:
            outcome.fallback_reason = f"guard: {result.reason}"
        return outcome

    def _run(self, task: Callable[[float, threading.Event], Outcome], kind: str) -> Outcome:
        """Run ``task`` in the worker thread and wait for it at most the time budget."""
        started = time.monotonic()
        deadline = started + self.budget_s
        cancel = threading.Event()
        future = self._executor.submit(task, deadline, cancel)
        try:
            outcome = future.result(timeout=self.budget_s)
        except FutureTimeoutError:
            cancel.set()
            outcome = Outcome(text=None, fallback_reason="timed out")
        except Exception as error:  # noqa: BLE001 - any generator failure must end in the fallback
            logger.warning("Generating a %s failed (%s: %s)", kind, type(error).__name__, error)
            outcome = Outcome(text=None, fallback_reason=f"error: {type(error).__name__}")
        outcome.seconds = time.monotonic() - started
        if outcome.text is None:
            reason = outcome.fallback_reason.split(":")[0]
            self.fallbacks[reason] += 1
            logger.warning(
                "Fallback writer replies to the %s (%s, after %.2f s; %d fallbacks for this reason so far)",
                kind, outcome.fallback_reason, outcome.seconds, self.fallbacks[reason],
            )
        return outcome

    def compose_recommendation(self, request: RecommendationRequest) -> Outcome:
        """Generate and check a recommendation reply; ``text`` is None when the fallback must reply."""
        items = [prompt_item(shown.item) for shown in request.items]
        context = request_context(request)
        return self._run(lambda deadline, cancel: self._recommend(items, context, deadline, cancel), "recommendation")

    def compose_feedback_ack(self, ack: FeedbackAck) -> Outcome:
        """Generate and check a feedback acknowledgement; ``text`` is None when the fallback must reply."""
        items = (
            [prompt_item(item, "liked") for item in ack.liked]
            + [prompt_item(item, "disliked") for item in ack.disliked]
            + [prompt_item(item, "seen") for item in ack.seen]
        )
        context = shorten_context(ack.user_message)
        return self._run(lambda deadline, cancel: self._acknowledge(items, context, deadline, cancel), "feedback ack")

    # --- ReplyWriter ---------------------------------------------------------------------------

    def write_recommendations(self, request: RecommendationRequest) -> str:
        if not request.items:
            return self.fallback.write_recommendations(request)
        outcome = self.compose_recommendation(request)
        return outcome.text if outcome.text is not None else self.fallback.write_recommendations(request)

    def write_feedback_ack(self, ack: FeedbackAck) -> str:
        if not (ack.liked or ack.disliked or ack.seen):
            return self.fallback.write_feedback_ack(ack)
        outcome = self.compose_feedback_ack(ack)
        return outcome.text if outcome.text is not None else self.fallback.write_feedback_ack(ack)

    def close(self) -> None:
        """Stop the worker thread; a generation in progress finishes first."""
        self._executor.shutdown(wait=False, cancel_futures=True)
