import math

import pytest

from bot.generator.metrics import corpus_bleu, distinct_n, percentile, rouge_l, tokens


def test_tokens_split_punctuation():
    assert tokens("Heat, for sure!") == ["heat", ",", "for", "sure", "!"]


def test_distinct_n_by_hand():
    texts = ["a b a", "a c"]

    assert distinct_n(texts, 1) == pytest.approx(3 / 5)
    assert distinct_n(texts, 2) == pytest.approx(3 / 3)
    assert distinct_n([""], 1) == 0.0


def test_rouge_l_by_hand():
    # LCS of "the cat sat down" and "the cat lay down" is "the cat down": P = R = 3/4.
    assert rouge_l("the cat sat down", "the cat lay down") == pytest.approx(0.75)
    # LCS of "a b c" and "a c" is 2: P = 2/3, R = 1, F1 = 0.8.
    assert rouge_l("a b c", "a c") == pytest.approx(0.8)
    assert rouge_l("", "a") == 0.0
    assert rouge_l("x", "a") == 0.0


def test_corpus_bleu_identical_is_one():
    texts = ["you should watch heat , it is great", "try up"]

    assert corpus_bleu(texts, texts, max_n=2) == pytest.approx(1.0)


def test_corpus_bleu_by_hand():
    # Unigrams 3/4 matched, bigrams 1/3; candidate and reference both 4 tokens, so no brevity penalty.
    value = corpus_bleu(["a b c d"], ["a b x c"], max_n=2)

    assert value == pytest.approx(math.sqrt(3 / 4 * 1 / 3))


def test_corpus_bleu_brevity_penalty():
    value = corpus_bleu(["a b"], ["a b c d"], max_n=2)

    assert value == pytest.approx(math.exp(1 - 4 / 2))


def test_corpus_bleu_no_match_is_zero():
    assert corpus_bleu(["x y z w"], ["a b c d"]) == 0.0


def test_corpus_bleu_length_mismatch():
    with pytest.raises(ValueError, match="1 candidates and 2 references"):
        corpus_bleu(["a"], ["a", "b"])


def test_percentile_nearest_rank():
    values = [5.0, 1.0, 3.0, 2.0, 4.0]

    assert percentile(values, 0.5) == 3.0
    assert percentile(values, 0.95) == 5.0
    assert math.isnan(percentile([], 0.5))
