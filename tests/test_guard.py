import pytest

from bot.generator.guard import FaithfulnessGuard, is_repetitive, trim_to_sentence
from bot.generator.matching import TitleIndex, title_key, title_variants, tokenize
from bot.generator.prompt import PromptItem

CATALOG_TITLES = [
    "Alien",
    "Aliens",
    "Up",
    "Up in the Air",
    "Heat",
    "Her",
    "It",
    "Seven",
    "The Matrix",
    "The Matrix Reloaded",
    "Star Wars",
    "Star Wars: The Force Awakens",
    "Good Time",
    "The Lord of the Rings: The Return of the King",
    "The Lord of the Rings",
    "Schindler's List",
    "Spider-Man",
    "Amélie",
    "Fast & Furious",
    "Toy Story",
    "Toy Story 2",
    "Halloween",
    "The Ring",
]


@pytest.fixture(scope="module")
def guard() -> FaithfulnessGuard:
    return FaithfulnessGuard(CATALOG_TITLES)


def item(title: str, year: int | None = None) -> PromptItem:
    return PromptItem(title=title, year=year)


# (reply, given titles) that must pass.
PASSING = [
    ("You should watch Aliens (1986), it's great.", ["Aliens"]),
    ("ALIENS is a classic.", ["Aliens"]),
    ("Matrix is a must.", ["The Matrix"]),
    ("the matrix is a must.", ["The Matrix"]),
    ("Aliens's sequels are fine, but watch Aliens.", ["Aliens"]),
    ("Try Up in the Air, a good time for sure.", ["Up in the Air"]),
    ("I'd look it up: Heat is tense.", ["Heat"]),
    ("I loved Up, you should look it up.", ["Up"]),
    ("The Force Awakens is fun.", ["Star Wars: The Force Awakens"]),
    ("Star Wars is fun.", ["Star Wars: The Force Awakens"]),
    ("Schindlers List is moving.", ["Schindler's List"]),
    ("Spiderman rocks!", ["Spider-Man"]),
    ("Spider Man rocks!", ["Spider-Man"]),
    ("Amelie is sweet.", ["Amélie"]),
    ("Fast and Furious is loud.", ["Fast & Furious"]),
    ("Toy Story 2 is as good as the first.", ["Toy Story 2"]),
    ("“Heat” and Up are both great.", ["Heat", "Up"]),
    ("Heat is great. It is long though.", ["Heat"]),
    ("Seven of us loved Heat.", ["Heat"]),
    ("Heat and Her, both great.", ["Heat", "Her"]),
    ("The Ring is scary.", ["The Ring"]),
]


@pytest.mark.parametrize(("reply", "titles"), PASSING)
def test_guard_accepts_faithful_reply(guard, reply, titles):
    result = guard.check(reply, [item(title) for title in titles])

    assert result.ok, result.reason


# (reply, given titles, expected missing, expected other titles).
FAILING = [
    ("If you liked Alien, try Aliens.", ["Aliens"], [], ["Alien"]),
    ("Alien is scary.", ["Aliens"], ["Aliens"], []),
    ("Try Up in the Air.", ["Up"], ["Up"], ["Up in the Air"]),
    ("You will love Up and Heat.", ["Up"], [], ["Heat"]),
    ('Try Up, or maybe "heat".', ["Up"], [], ["Heat"]),
    ("Try Up or the lord of the rings.", ["Up"], [], ["The Lord of the Rings"]),
    (
        "Try Up or The Lord of the Rings: The Return of the King.",
        ["Up"],
        [],
        ["The Lord of the Rings: The Return of the King"],
    ),
    ("Toy Story is as good.", ["Toy Story 2"], ["Toy Story 2"], ["Toy Story"]),
    ("The Matrix Reloaded is great.", ["The Matrix"], ["The Matrix"], ["The Matrix Reloaded"]),
    ("Have fun, look it up.", ["Up"], ["Up"], []),
    ("Watch Heat.", ["Heat", "Up"], ["Up"], []),
]


@pytest.mark.parametrize(("reply", "titles", "missing", "extra"), FAILING)
def test_guard_rejects_unfaithful_reply(guard, reply, titles, missing, extra):
    result = guard.check(reply, [item(title) for title in titles])

    assert not result.ok
    assert result.missing == missing
    assert result.extra == extra


@pytest.mark.parametrize(
    "reply",
    [
        "Up is great, a good time.",  # lower-case two-word title
        "Heat is great.",  # one-word title at the start of a sentence is not flagged
        "It is great, watch Up.",
        "I think Up has heart, and it has her voice.",
    ],
)
def test_guard_common_words_not_flagged(guard, reply):
    result = guard.check(reply, [item("Up")] if "Up" in reply else [item("Heat")])

    assert result.extra == []


def test_guard_lowercase_one_word_item_not_named(guard):
    # A lower-case common word ("look it up") must not count as naming the film "Up".
    result = guard.check("aliens is a classic.", [item("Aliens")])

    assert result.missing == ["Aliens"]


def test_guard_wrong_year(guard):
    result = guard.check("Aliens (1979) is good.", [item("Aliens", 1986)])

    assert not result.ok
    assert result.problems == ["wrong year 1979 for Aliens (1986)"]


def test_guard_right_year_passes(guard):
    result = guard.check("Aliens (1986) is good.", [item("Aliens", 1986)])

    assert result.ok


def test_guard_same_title_other_year(guard):
    # A remake shares its title with the original; naming the title names the given item.
    result = guard.check("Halloween (2018) is a good sequel.", [item("Halloween", 2018)])

    assert result.ok


@pytest.mark.parametrize("reply", ["", "   ", "...", "<|im_end|>"])
def test_guard_empty_reply(guard, reply):
    result = guard.check(reply, [item("Heat")])

    assert result.problems == ["empty"]


def test_guard_truncated_reply_trimmed(guard):
    result = guard.check("Heat is a tense heist film. It also has a great", [item("Heat")], truncated=True)

    assert result.ok
    assert result.text == "Heat is a tense heist film."


def test_guard_truncated_without_sentence_end(guard):
    result = guard.check("Heat is a tense heist film with a great", [item("Heat")], truncated=True)

    assert result.problems == ["truncated"]


def test_guard_truncation_dropping_title(guard):
    result = guard.check("Watch this. Heat is a tense heist film with", [item("Heat")], truncated=True)

    assert result.text == "Watch this."
    assert result.missing == ["Heat"]


@pytest.mark.parametrize(
    "reply",
    [
        "Heat Heat Heat Heat",
        "Heat is good, so good, so good, so good, so good.",
        "Heat is a great film. Heat is a great film.",
        "Watch Heat and watch Heat and watch Heat and watch Heat",
    ],
)
def test_guard_repeated_reply(guard, reply):
    result = guard.check(reply, [item("Heat")])

    assert "repeated" in result.problems


def test_guard_echo_of_prompt_labels(guard):
    result = guard.check("Friend: Heat\nMovies: Heat (1995, crime)", [item("Heat")])

    assert "echo of the prompt" in result.problems


def test_guard_echo_of_context(guard):
    context = "I want a tense crime movie with a great cast and a long shootout please"

    result = guard.check(
        "Heat. I want a tense crime movie with a great cast and a long shootout", [item("Heat")], context=context
    )

    assert "echo of the prompt" in result.problems


def test_guard_long_title_in_context_not_echo():
    title = "The Lord of the Rings: The Return of the King"
    guard = FaithfulnessGuard([title])
    context = f"Tell me about {title} please"

    result = guard.check(f"{title} is a great ending.", [item(title)], context=context)

    assert result.ok, result.reason


def test_guard_ack_names_no_item(guard):
    result = guard.check("Glad you liked it!", [item("Heat")], require_all=False)

    assert result.ok


def test_guard_ack_other_title(guard):
    result = guard.check("Glad you liked it, try The Matrix too!", [item("Heat")], require_all=False)

    assert result.extra == ["The Matrix"]


def test_guard_reason_lists_failures(guard):
    result = guard.check("If you liked Alien, try this.", [item("Aliens")])

    assert result.reason == "missing ['Aliens']; other titles ['Alien']"


def test_tokenize_possessive_and_accents():
    tokens = tokenize("Amélie's friend & Alien’s")

    assert [token.word for token in tokens] == ["amelie", "friend", "and", "alien"]
    assert [token.possessive for token in tokens] == [True, False, False, True]
    assert tokens[0].start == 0
    assert tokens[0].end == len("Amélie's")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The Matrix", ("matrix",)),
        ("Matrix, The", ("matrix",)),
        ("The", ("the",)),
        ("Schindler's List", ("schindler", "list")),
    ],
)
def test_title_key(title, expected):
    assert title_key(title) == expected


def test_title_variants_partial_colon():
    variants = title_variants("Mission: Impossible", partial=True)

    assert ("mission", "impossible") in variants
    assert ("mission",) not in variants
    assert ("impossible",) not in variants


def test_title_index_finds_overlapping_titles():
    index = TitleIndex(["Up", "Up in the Air"])

    matches = index.find(tokenize("Up in the Air"))

    assert {(m.title, m.first, m.last) for m in matches} == {("Up", 0, 1), ("Up in the Air", 0, 4)}


def test_trim_to_sentence():
    assert trim_to_sentence('He said "go." and then') == 'He said "go."'
    assert trim_to_sentence("no end here") == ""


def test_is_repetitive_normal_text():
    assert not is_repetitive("Heat is a tense heist film with a great cast. You will like it.")


def test_guard_genre_label_not_flagged():
    guard = FaithfulnessGuard(["Romance", "War", "Heat"], genre_labels=["Romance", "War", "Science Fiction"])

    result = guard.check("Heat [Crime, Romance, War] is great.", [item("Heat")])

    assert result.ok, result.reason


def test_guard_genre_title_flagged_without_labels():
    guard = FaithfulnessGuard(["Romance", "Heat"])

    result = guard.check("Heat [Crime, Romance] is great.", [item("Heat")])

    assert result.extra == ["Romance"]


def test_guard_small_word_phrase_not_flagged():
    guard = FaithfulnessGuard(["In the Mood", "Heat"])

    result = guard.check("Heat, if you are in the mood for a heist.", [item("Heat")])

    assert result.ok, result.reason


def test_guard_copied_movie_line_is_echo(guard):
    given = PromptItem("Heat", 1995, ("Crime", "Thriller"))

    result = guard.check("Heat (1995, crime, thriller)", [given])

    assert "echo of the prompt" in result.problems


@pytest.mark.parametrize(
    "reply",
    [
        "Up stars Julia Roberts.",  # a first name followed by a surname
        "Up is fun It's a great one",  # contraction in unpunctuated chat
        "Up is fun, Take care",  # everyday words
        "Up is fun, like back in the day",
        "Up has 50 jokes",  # a number
        "Up is good, the best one",
    ],
)
def test_guard_everyday_words_not_flagged(reply):
    guard = FaithfulnessGuard(["Up", "Julia", "It", "Take Care", "Back in the Day", "50", "The Best One"])

    result = guard.check(reply, [item("Up")])

    assert result.extra == [], result.reason


def test_guard_year_makes_one_word_a_title():
    guard = FaithfulnessGuard(["Up", "It"])

    result = guard.check("Heat is fine. It (2017) is scary.", [item("Heat")])

    assert result.extra == ["It"]


def test_guard_two_items_same_title(guard):
    items = [item("It", 1990), item("It", 2017)]

    result = guard.check("1. It (1990) and 2. It (2017)", items)

    assert result.ok, result.reason


@pytest.mark.parametrize(
    ("reply", "named"),
    [
        ("Watch Heat. It is a classic.", False),
        ("Watch Heat, then It.", True),
        ("Watch Heat. It (2017) is scary.", True),
        ('Watch Heat. "It" is scary.', True),
        ("Heat is a classic.", True),
        ("Watch Heat. Up is lovely.", False),  # everyday word at a sentence start: retried, not trusted
    ],
)
def test_guard_everyday_word_item_needs_evidence(reply, named):
    guard = FaithfulnessGuard(["Heat", "It", "Up"])
    title = "Heat" if reply.startswith("Heat") else "Up" if "Up" in reply else "It"

    result = guard.check(reply, [item(title, 2017 if title == "It" else None)])

    assert (result.missing == []) == named, result.reason
