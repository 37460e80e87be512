import pytest

from bot.textcheck import MAX_CHARS, check_text, looks_non_english


@pytest.mark.parametrize(("message", "problem"), [("", "empty"), ("   \n\t", "empty"), (None, "empty"), ("🎬🍿😍", "no_words"), ("?!...", "no_words")])
def test_problem_messages(message, problem):
    assert check_text(message).problem == problem


def test_long_message_is_truncated():
    checked = check_text("comedy " * 4000)
    assert checked.truncated
    assert len(checked.text) == MAX_CHARS
    assert checked.problem is None


@pytest.mark.parametrize(
    "message",
    ["quiero ver una película de terror por favor", "je veux voir un film avec des robots", "我想看一部电影", "Ich möchte einen Film sehen"],
)
def test_non_english_detected(message):
    assert looks_non_english(message)


@pytest.mark.parametrize("message", ["something like Alien", "Le Mans please", "a film with Penélope Cruz", "ok"])
def test_english_passes(message):
    assert not looks_non_english(message)
