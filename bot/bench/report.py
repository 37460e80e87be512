"""Markdown tables of benchmark results, written into a marked block of a docs page.

The page keeps its hand-written text; only the lines between
``<!-- bench:NAME:begin -->`` and ``<!-- bench:NAME:end -->`` are replaced,
and a page without those markers gets the block appended.
"""

from __future__ import annotations

import logging
import platform
import re
from datetime import datetime, timezone
from pathlib import Path

from bot.bench.movielens_run import K as MOVIELENS_K
from bot.bench.movielens_run import MovieLensResults
from bot.bench.published import NO_REPEAT, STANDARD, PublishedResult
from bot.bench.redial_run import SPLITS, RedialResults, scores_for
from bot.bench.variants import FINAL

logger = logging.getLogger(__name__)

PROTOCOL_TITLES = {"standard": "Standard protocol", "no_repeat": "No-repeat protocol"}
SPLIT_TITLES = {"held-out": "held-out split", "all": "all 1,342 test conversations"}


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def machine_line(wall_seconds: float) -> str:
    """Return one line naming the run's date, machine and wall time."""
    import os

    date = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    return (
        f"Run on {date}, {platform.machine()} with {os.cpu_count()} CPU cores, no GPU, Python "
        f"{platform.python_version()}; wall time {wall_seconds / 60:.1f} min."
    )


def redial_markdown(results: RedialResults, command: str) -> str:
    """Return the ReDial result tables as markdown."""
    lines = [
        f"Command: `{command}`",
        "",
        machine_line(results.wall_seconds),
        "",
        f"Bench catalog: {results.catalog_size:,} ReDial movies, of which {results.catalog_matched:,} "
        f"({100.0 * results.catalog_matched / max(1, results.catalog_size):.1f}%) carry genres, people and a "
        "description from the default catalog; the others have only their title and year.",
        "",
    ]
    lines += [standing(results), ""]
    for protocol, published in (("standard", STANDARD), ("no_repeat", NO_REPEAT)):
        by_split = {split: scores_for(results, protocol, split) for split in SPLITS}
        lines += [f"#### {PROTOCOL_TITLES[protocol]}", ""]
        lines.append("| system |" + " R@1 | R@10 | R@50 |" * len(SPLITS))
        lines.append("|---|" + "---:|" * (3 * len(SPLITS)))
        for name in results.systems:
            cells = []
            for split in SPLITS:
                scores = by_split[split][name]
                cells += [_figure(scores.recall(1)), _figure(scores.recall(10)), _figure(scores.recall(50))]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
        first = results.systems[0]
        counts = "; ".join(
            f"{SPLIT_TITLES[split]}: {results.conversations[split]:,} conversations, "
            f"{by_split[split][first].turns:,} turns, {by_split[split][first].pairs:,} (turn, target) pairs"
            for split in SPLITS
        )
        lines += [f"Columns: first the {SPLIT_TITLES['held-out']}, then {SPLIT_TITLES['all']}. Scored: {counts}.", ""]
        lines += _published_table(published)
    lines += ["Popularity counts:", ""]
    lines += [f"- {name}: {source}." for name, source in results.popularity_sources.items()]
    return "\n".join(lines) + "\n"


def standing(results: RedialResults) -> str:
    """Return one sentence comparing our best step and the chat default with the baselines and published systems."""
    scores = scores_for(results, "no_repeat", "held-out")
    ours = {name: value for name, value in scores.items() if name.startswith("ours")}
    baselines = {name: value for name, value in scores.items() if not name.startswith("ours")}
    best_ours = max(ours, key=lambda name: ours[name].recall(10))
    best_baseline = max(baselines, key=lambda name: baselines[name].recall(10))
    published = ", ".join(f"{entry.system} {_figure(entry.recall_10)}" for entry in NO_REPEAT)
    return (
        f"Where the project stands, by R@10 on the held-out split under the no-repeat protocol: "
        f"the chat default reaches {scores[FINAL.name].recall(10):.3f}, and the best step, \"{best_ours}\", "
        f"reaches {ours[best_ours].recall(10):.3f}. The best baseline, \"{best_baseline}\", reaches "
        f"{baselines[best_baseline].recall(10):.3f}. Published systems trained on ReDial reach {published} "
        "on the full test set."
    )


def _published_table(published: tuple[PublishedResult, ...]) -> list[str]:
    lines = ["Published (trained on ReDial's training conversations, full test set):", "",
             "| system | R@1 | R@10 | R@50 | source |", "|---|---:|---:|---:|---|"]
    for entry in published:
        lines.append(
            f"| {entry.system} | {_figure(entry.recall_1)} | {_figure(entry.recall_10)} | "
            f"{_figure(entry.recall_50)} | {entry.source} |"
        )
    return lines + [""]


def movielens_markdown(results: MovieLensResults, command: str) -> str:
    """Return the MovieLens result table as markdown."""
    lines = [
        f"Command: `{command}`",
        "",
        machine_line(results.wall_seconds),
        "",
        f"Matched to catalog items: {results.matched_movies:,} of {results.movies:,} MovieLens movies "
        f"({100.0 * results.matched_movies / max(1, results.movies):.1f}%), carrying "
        f"{100.0 * results.matched_rating_share:.1f}% of the ratings. Users scored: {results.evaluated_users} of "
        f"{results.users} (the others have fewer than four liked movies among the matched ones).",
        "",
        f"| system | Recall@{MOVIELENS_K} | NDCG@{MOVIELENS_K} | catalog coverage |",
        "|---|---:|---:|---:|",
    ]
    for name, scores in results.scores.items():
        lines.append(f"| {name} | {scores.recall:.3f} | {scores.ndcg:.3f} | {scores.coverage:.3f} |")
    return "\n".join(lines) + "\n"


def write_block(page: Path, name: str, markdown: str) -> None:
    """Replace the ``name`` block of ``page`` with ``markdown``, or append the block when the page lacks it."""
    begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
    block = f"{begin}\n{markdown.rstrip()}\n{end}"
    text = page.read_text(encoding="utf-8") if page.is_file() else ""
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text, count=1)
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + block + "\n"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")
    logger.info("Wrote the %s results into %s", name, page)
