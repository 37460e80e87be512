"""Text metrics for comparing replies with human ones: Distinct-n, BLEU and ROUGE-L.

All metrics work on lower-case word and punctuation tokens from :func:`tokens`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")


def tokens(text: str) -> list[str]:
    """Split ``text`` into lower-case words and punctuation marks."""
    return _TOKEN_PATTERN.findall(text.lower())


def ngrams(sequence: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(sequence[i : i + n]) for i in range(len(sequence) - n + 1)]


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Distinct-n: distinct n-grams over all n-grams of all texts (Li et al., NAACL 2016).

    Returns 0.0 when the texts have no n-gram.
    """
    counts: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        counts.update(ngrams(tokens(text), n))
    total = sum(counts.values())
    return len(counts) / total if total else 0.0


def corpus_bleu(candidates: Sequence[str], references: Sequence[str], max_n: int = 4) -> float:
    """Corpus BLEU with one reference per candidate (Papineni et al., ACL 2002), on a 0-1 scale.

    Clipped n-gram precisions for n = 1..max_n are combined by a geometric
    mean and multiplied by the brevity penalty. Returns 0.0 when any precision
    is zero, as the original definition does (no smoothing).
    """
    if len(candidates) != len(references):
        raise ValueError(f"Got {len(candidates)} candidates and {len(references)} references; they must pair up")
    matched = [0] * max_n
    possible = [0] * max_n
    candidate_length = reference_length = 0
    for candidate, reference in zip(candidates, references):
        candidate_tokens, reference_tokens = tokens(candidate), tokens(reference)
        candidate_length += len(candidate_tokens)
        reference_length += len(reference_tokens)
        for n in range(1, max_n + 1):
            candidate_counts = Counter(ngrams(candidate_tokens, n))
            reference_counts = Counter(ngrams(reference_tokens, n))
            matched[n - 1] += sum(min(count, reference_counts[gram]) for gram, count in candidate_counts.items())
            possible[n - 1] += sum(candidate_counts.values())
    if candidate_length == 0 or any(count == 0 for count in matched):
        return 0.0
    log_precision = sum(math.log(m / p) for m, p in zip(matched, possible)) / max_n
    brevity = 1.0 if candidate_length > reference_length else math.exp(1 - reference_length / candidate_length)
    return brevity * math.exp(log_precision)


def _lcs_length(first: Sequence[str], second: Sequence[str]) -> int:
    previous = [0] * (len(second) + 1)
    for token in first:
        current = [0]
        for position, other in enumerate(second, start=1):
            current.append(previous[position - 1] + 1 if token == other else max(previous[position], current[-1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 from the longest common subsequence of tokens (Lin, 2004), on a 0-1 scale.

    Lin defines F with a weight beta; this is the balanced F1 (beta = 1).
    """
    candidate_tokens, reference_tokens = tokens(candidate), tokens(reference)
    if not candidate_tokens or not reference_tokens:
        return 0.0
    common = _lcs_length(candidate_tokens, reference_tokens)
    if common == 0:
        return 0.0
    precision = common / len(candidate_tokens)
    recall = common / len(reference_tokens)
    return 2 * precision * recall / (precision + recall)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values`` (``fraction`` in [0, 1])."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]
