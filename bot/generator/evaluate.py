"""Side-by-side evaluation of the reply writers on held-out ReDial turns.

Each writer phrases the same sampled turns: the template writer, the base
model and the fine-tuned model, both models behind the same guard, retry and
fallback as in production. The guard used for scoring contains the catalog
titles and every ReDial movie title, so it also catches ReDial movies that are
not in the catalog.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.generator.guard import FaithfulnessGuard, GuardResult
from bot.generator.metrics import corpus_bleu, distinct_n, percentile, rouge_l, tokens
from bot.generator.model import ReplyModel
from bot.generator.pairs import Pair
from bot.generator.prompt import PromptItem, recommend_messages
from bot.generator.writer import GeneratorWriter, Outcome
from bot.items import Item
from bot.replies.base import FeedbackAck, RecommendationRequest, ReplyWriter, ShownItem

logger = logging.getLogger(__name__)


@dataclass
class WriterReport:
    """Scores of one writer on one sample; rates are fractions of the sample."""

    name: str
    task: str
    count: int
    raw_faithful: float
    missing_rate: float
    extra_title_rate: float
    problem_rate: float
    fallback_rate: float
    final_faithful: float
    timeouts: int
    distinct_1: float
    distinct_2: float
    bleu: float
    rouge_l: float
    mean_words: float
    latency_p50: float
    latency_p95: float
    raw_texts: list[str] = field(default_factory=list)
    shown_texts: list[str] = field(default_factory=list)


def to_item(prompt_item: PromptItem, number: int) -> Item:
    return Item(id=f"eval:{number}", title=prompt_item.title, year=prompt_item.year, genres=prompt_item.genres)


def to_request(pair: Pair) -> RecommendationRequest:
    shown = tuple(ShownItem(item=to_item(item, n), position=n) for n, item in enumerate(pair.items, start=1))
    return RecommendationRequest(items=shown, user_message=pair.context)


def to_ack(pair: Pair) -> FeedbackAck:
    by_kind: dict[str, list[Item]] = {"liked": [], "disliked": [], "seen": []}
    for number, item in enumerate(pair.items, start=1):
        if item.feedback:
            by_kind[item.feedback].append(to_item(item, number))
    return FeedbackAck(
        liked=tuple(by_kind["liked"]), disliked=tuple(by_kind["disliked"]), seen=tuple(by_kind["seen"]),
        user_message=pair.context,
    )


def _summarise(
    name: str,
    pairs: Sequence[Pair],
    firsts: Sequence[GuardResult],
    finals: Sequence[GuardResult],
    outcomes: Sequence[Outcome | None],
    raw_texts: list[str],
    shown_texts: list[str],
    seconds: list[float],
) -> WriterReport:
    count = len(pairs)
    return WriterReport(
        name=name,
        task=pairs[0].task if pairs else "",
        count=count,
        raw_faithful=sum(result.ok for result in firsts) / count,
        missing_rate=sum(bool(result.missing) for result in firsts) / count,
        extra_title_rate=sum(bool(result.extra) for result in firsts) / count,
        problem_rate=sum(bool(result.problems) for result in firsts) / count,
        fallback_rate=sum(o is not None and o.text is None for o in outcomes) / count,
        final_faithful=sum(result.ok for result in finals) / count,
        timeouts=sum(o is not None and o.fallback_reason == "timed out" for o in outcomes),
        distinct_1=distinct_n(raw_texts, 1),
        distinct_2=distinct_n(raw_texts, 2),
        bleu=corpus_bleu(raw_texts, [pair.reply for pair in pairs]),
        rouge_l=sum(rouge_l(text, pair.reply) for text, pair in zip(raw_texts, pairs)) / count,
        mean_words=sum(len(tokens(text)) for text in raw_texts) / count,
        latency_p50=percentile(seconds, 0.5),
        latency_p95=percentile(seconds, 0.95),
        raw_texts=raw_texts,
        shown_texts=shown_texts,
    )


def _check(guard: FaithfulnessGuard, pair: Pair, text: str) -> GuardResult:
    return guard.check(text, pair.items, require_all=pair.task == "recommend")


def evaluate_template(name: str, writer: ReplyWriter, pairs: Sequence[Pair], guard: FaithfulnessGuard) -> WriterReport:
    """Score a writer without a fallback, such as the template writer."""
    texts, seconds = [], []
    for pair in pairs:
        started = time.perf_counter()
        if pair.task == "recommend":
            text = writer.write_recommendations(to_request(pair))
        else:
            text = writer.write_feedback_ack(to_ack(pair))
        seconds.append(time.perf_counter() - started)
        texts.append(text)
    results = [_check(guard, pair, text) for pair, text in zip(pairs, texts)]
    return _summarise(name, pairs, results, results, [None] * len(pairs), texts, texts, seconds)


def evaluate_generator(
    name: str, writer: GeneratorWriter, pairs: Sequence[Pair], guard: FaithfulnessGuard
) -> WriterReport:
    """Score a generator writer: its first attempt before the guard, and what the user would see."""
    from tqdm import tqdm

    firsts, finals, outcomes, raw_texts, shown_texts, seconds = [], [], [], [], [], []
    for pair in tqdm(pairs, desc=f"{name} ({pairs[0].task if pairs else ''})", unit="reply"):
        if pair.task == "recommend":
            request = to_request(pair)
            outcome = writer.compose_recommendation(request)
            shown = outcome.text if outcome.text is not None else writer.fallback.write_recommendations(request)
        else:
            ack = to_ack(pair)
            outcome = writer.compose_feedback_ack(ack)
            shown = outcome.text if outcome.text is not None else writer.fallback.write_feedback_ack(ack)
        raw = outcome.generations[0] if outcome.generations else ""
        firsts.append(outcome.first or _check(guard, pair, raw))
        finals.append(_check(guard, pair, shown))
        outcomes.append(outcome)
        raw_texts.append(raw)
        shown_texts.append(shown)
        seconds.append(outcome.seconds)
    return _summarise(name, pairs, firsts, finals, outcomes, raw_texts, shown_texts, seconds)


@dataclass
class LeverTiming:
    """Latency of one generation setting on the same prompts, and how often its text matches float32."""

    name: str
    p50: float
    p95: float
    mean_new_tokens: float
    same_text: float


def time_generation(
    name: str, model: ReplyModel, pairs: Sequence[Pair], max_new_tokens: int, reference: Sequence[str] = ()
) -> tuple[LeverTiming, list[str]]:
    """Time greedy generation of a recommendation for each pair, without the guard.

    Returns the timing and the generated texts; ``same_text`` compares them with ``reference``.
    """
    seconds, new_tokens, texts = [], [], []
    model.generate(recommend_messages(pairs[0].context, pairs[0].items), max_new_tokens=4)  # warm-up
    for pair in pairs:
        generation = model.generate(recommend_messages(pair.context, pair.items), max_new_tokens=max_new_tokens)
        seconds.append(generation.seconds)
        new_tokens.append(generation.new_tokens)
        texts.append(generation.text)
    reference = list(reference) or texts
    same = sum(text == expected for text, expected in zip(texts, reference)) / len(texts)
    timing = LeverTiming(name, percentile(seconds, 0.5), percentile(seconds, 0.95), sum(new_tokens) / len(texts), same)
    return timing, texts


def measure_levers(
    base_dir: Path, adapter_dir: Path, pairs: Sequence[Pair], max_new_tokens: int, threads: int
) -> list[LeverTiming]:
    """Time the fine-tuned model's generation under each speed-up, against merged float32."""
    import torch

    timings = []
    merged = ReplyModel.load(base_dir, adapter_dir, threads=threads)
    reference_timing, reference = time_generation("merged, fp32", merged, pairs, max_new_tokens)
    unmerged = ReplyModel.load(base_dir, adapter_dir, merge=False, threads=threads)
    timings.append(time_generation("adapter not merged, fp32", unmerged, pairs, max_new_tokens, reference)[0])
    timings.append(reference_timing)
    del unmerged, merged
    for precision in ("bf16", "int8"):
        model = ReplyModel.load(base_dir, adapter_dir, precision=precision, threads=threads)
        timings.append(time_generation(f"merged, {precision}", model, pairs, max_new_tokens, reference)[0])
    bf16 = ReplyModel.load(base_dir, adapter_dir, precision="bf16", threads=threads)
    short = min(32, max_new_tokens)
    timings.append(time_generation(f"merged, bf16, {short} new tokens", bf16, pairs, short, reference)[0])
    other_threads = 1 if threads != 1 else 2
    torch.set_num_threads(other_threads)
    timings.append(
        time_generation(f"merged, bf16, {other_threads} thread(s)", bf16, pairs, max_new_tokens, reference)[0]
    )
    torch.set_num_threads(threads)
    return timings
