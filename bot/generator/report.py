"""Markdown page of the side-by-side evaluation (docs/generator.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.generator.evaluate import LeverTiming, WriterReport
from bot.generator.pairs import Pair

EXAMPLES_SHOWN = 8


def _percent(value: float) -> str:
    return f"{100 * value:.1f}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or "(empty)"


def recommendation_table(reports: Sequence[WriterReport]) -> list[str]:
    lines = [
        "| writer | faithful before guard % | missing an item % | other title % | other problem % "
        "| fallback after guard % | faithful after guard % | Distinct-1 | Distinct-2 | BLEU-4 | ROUGE-L "
        "| mean tokens | p50 s | p95 s |",
        "|---|" + "---:|" * 13,
    ]
    for report in reports:
        lines.append(
            f"| {report.name} | {_percent(report.raw_faithful)} | {_percent(report.missing_rate)} "
            f"| {_percent(report.extra_title_rate)} | {_percent(report.problem_rate)} "
            f"| {_percent(report.fallback_rate)} | {_percent(report.final_faithful)} "
            f"| {report.distinct_1:.3f} | {report.distinct_2:.3f} | {100 * report.bleu:.2f} "
            f"| {100 * report.rouge_l:.1f} | {report.mean_words:.1f} "
            f"| {report.latency_p50:.2f} | {report.latency_p95:.2f} |"
        )
    return lines


def ack_table(reports: Sequence[WriterReport]) -> list[str]:
    lines = [
        "| writer | passes the guard before fallback % | other title % | other problem % | fallback % "
        "| passes after guard % | Distinct-2 | ROUGE-L | mean tokens | p50 s | p95 s |",
        "|---|" + "---:|" * 10,
    ]
    for report in reports:
        lines.append(
            f"| {report.name} | {_percent(report.raw_faithful)} | {_percent(report.extra_title_rate)} "
            f"| {_percent(report.problem_rate)} | {_percent(report.fallback_rate)} "
            f"| {_percent(report.final_faithful)} | {report.distinct_2:.3f} | {100 * report.rouge_l:.1f} "
            f"| {report.mean_words:.1f} | {report.latency_p50:.2f} | {report.latency_p95:.2f} |"
        )
    return lines


def lever_table(timings: Sequence[LeverTiming]) -> list[str]:
    lines = [
        "| setting | p50 s | p95 s | mean new tokens | same text as merged fp32 % |",
        "|---|---:|---:|---:|---:|",
    ]
    lines.extend(
        f"| {t.name} | {t.p50:.2f} | {t.p95:.2f} | {t.mean_new_tokens:.1f} | {_percent(t.same_text)} |"
        for t in timings
    )
    return lines


def examples_table(pairs: Sequence[Pair], reports: Sequence[WriterReport], count: int = EXAMPLES_SHOWN) -> list[str]:
    lines = []
    for number, pair in enumerate(pairs[:count]):
        lines.append(f"**{number + 1}.** Seeker: _{_cell(pair.context or '(nothing yet)')}_  ")
        lines.append(f"Movies: {'; '.join(item.describe() for item in pair.items)}")
        lines.append("")
        lines.append("| writer | reply |")
        lines.append("|---|---|")
        lines.append(f"| human (ReDial) | {_cell(pair.reply)} |")
        for report in reports:
            raw = report.raw_texts[number]
            shown = report.shown_texts[number]
            lines.append(f"| {report.name} | {_cell(raw)} |")
            if shown != raw:
                lines.append(f"| {report.name}, shown after guard | {_cell(shown)} |")
        lines.append("")
    return lines


def render_page(
    *,
    recommend_reports: Sequence[WriterReport],
    ack_reports: Sequence[WriterReport],
    recommend_pairs: Sequence[Pair],
    levers: Sequence[LeverTiming],
    meta: dict[str, Any],
) -> str:
    """Return the whole docs page; ``meta`` carries the run's settings and the training record."""
    training = meta.get("training", {})
    lines = [
        "# Reply generator: measured side by side",
        "",
        "Written by `python -m bot generator evaluate` "
        f"(command: `{meta['command']}`). Do not edit by hand; rerun the command.",
        "",
        "## Setup",
        "",
        f"- Turns: {len(recommend_pairs)} recommendation turns and {meta['ack_count']} acknowledgement turns, "
        f"sampled with seed {meta['seed']} from the {meta['heldout_conversations']} held-out ReDial conversations "
        "(`data/redial/heldout_conversations.txt`), none of which was used for training. ReDial: Li et al., "
        "\"Towards Deep Conversational Recommendations\", NeurIPS 2018, CC BY 4.0.",
        "- Writers: the template writer (`bot.replies.templates`), SmolLM2-135M-Instruct without fine-tuning, and "
        "the same model with the LoRA adapter in `models/generator/adapter` merged in. Both models use the prompt "
        "of `bot.generator.prompt`, greedy decoding, at most "
        f"{meta['max_new_tokens']} new tokens, weights in {meta['precision']}, "
        "and the guard, retry and fallback of `GeneratorWriter`.",
        f"- Hardware: {meta['hardware']}, torch threads: {meta['threads']}, time budget: {meta['budget']} s per reply.",
        f"- Adapter: {training.get('steps', '?')} steps of batch {training.get('batch_size', '?')}, held-out "
        f"loss {training.get('eval_loss_base', float('nan')):.3f} (base) to "
        f"{training.get('eval_loss_finetuned', float('nan')):.3f} (fine-tuned); see `models/generator/README.md`.",
        "",
        "## Recommendations",
        "",
        *recommendation_table(recommend_reports),
        "",
        "## Feedback acknowledgements",
        "",
        *ack_table(ack_reports),
        "",
        "## Metrics",
        "",
        "- Faithful before the guard: the first generated reply names every movie it was given and no other "
        "title of the catalog or of ReDial's movie list. It is also not empty, cut off, looping or a copy of "
        "the prompt (`bot.generator.guard`). Missing, other title and other problem split the failures and may "
        "overlap.",
        "- Fallback after the guard: replies answered by the template writer because the retry also failed or "
        f"the time budget ran out ({', '.join(f'{r.name}: {r.timeouts}' for r in recommend_reports)} timeouts).",
        "- Faithful after the guard: the reply the user would see, generated or fallback, checked again.",
        "- Distinct-1/2 (Li et al., NAACL 2016), corpus BLEU-4 without smoothing (Papineni et al., ACL 2002) and "
        "ROUGE-L F1 (Lin, 2004) compare the first generated reply with the recommender's real reply, on lower-case "
        "word and punctuation tokens (`bot.generator.metrics`). Mean tokens counts the same tokens.",
        "- Latency: wall time of the whole reply (generation, guard, retry), measured one reply at a time.",
        "",
    ]
    if levers:
        lines += [
            "## Latency levers",
            "",
            f"Fine-tuned model on the first {meta['lever_count']} sampled recommendation prompts, generation only "
            f"(no guard), torch threads: {meta['threads']} unless the row says otherwise. Same text compares the "
            "greedy reply with the merged float32 model's.",
            "",
            *lever_table(levers),
            "",
        ]
    lines += [
        "## Examples",
        "",
        "The first sampled turns. Each writer's first reply is shown, and the reply the user would see when the "
        "guard replaced it.",
        "",
        *examples_table(recommend_pairs, recommend_reports),
    ]
    return "\n".join(lines).rstrip() + "\n"
