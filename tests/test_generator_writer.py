import threading
from dataclasses import dataclass, field

import pytest

from bot.generator.model import Generation
from bot.generator.writer import GeneratorWriter, request_context
from bot.items import Item
from bot.replies.base import FeedbackAck, RecommendationRequest, ShownItem
from bot.settings import Settings

TITLES = ["Heat", "Up", "Alien", "Aliens", "The Matrix"]
HEAT = Item(id="1", title="Heat", year=1995, genres=("Crime",))
UP = Item(id="2", title="Up", year=2009, genres=("Animated",))


@dataclass
class ScriptedModel:
    """Returns the scripted replies in order and records the prompts it got."""

    replies: list[str]
    truncated: bool = False
    prompts: list[list[dict[str, str]]] = field(default_factory=list)

    def generate(self, messages, *, max_new_tokens=48, deadline=None, cancel=None) -> Generation:
        self.prompts.append(messages)
        text = self.replies[min(len(self.prompts), len(self.replies)) - 1]
        return Generation(text=text, new_tokens=5, truncated=self.truncated, stopped=False, seconds=0.0)


class BlockingModel:
    """Blocks in generate until released, like a model far slower than the budget."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.finished = threading.Event()

    def generate(self, messages, **kwargs) -> Generation:
        self.release.wait(timeout=30)
        self.finished.set()
        return Generation(text="Heat is great.", new_tokens=4, truncated=False, stopped=False, seconds=0.0)


class FailingModel:
    def generate(self, messages, **kwargs) -> Generation:
        raise RuntimeError("out of memory")


class RecordingFallback:
    name = "template"

    def __init__(self) -> None:
        self.calls = 0

    def write_recommendations(self, request) -> str:
        self.calls += 1
        return "TEMPLATE RECOMMENDATION"

    def write_feedback_ack(self, ack) -> str:
        self.calls += 1
        return "TEMPLATE ACK"


def make_writer(model, budget: float = 5.0, loads: list | None = None) -> tuple[GeneratorWriter, RecordingFallback]:
    fallback = RecordingFallback()

    def loader():
        if loads is not None:
            loads.append(1)
        return model

    writer = GeneratorWriter(
        Settings(writer_budget_s=budget), fallback, model_loader=loader, titles=TITLES
    )
    return writer, fallback


def request(*items: Item, message: str = "a tense crime film") -> RecommendationRequest:
    shown = tuple(ShownItem(item=item, position=n) for n, item in enumerate(items, start=1))
    return RecommendationRequest(items=shown, user_message=message)


def test_writer_loads_lazily():
    loads: list = []

    writer, _ = make_writer(ScriptedModel(["Heat is great."]), loads=loads)

    assert loads == []
    writer.write_recommendations(request(HEAT))
    writer.write_recommendations(request(HEAT))
    assert loads == [1]


def test_writer_returns_faithful_reply():
    model = ScriptedModel(["Heat is a tense heist film."])
    writer, fallback = make_writer(model)

    text = writer.write_recommendations(request(HEAT))

    assert text == "Heat is a tense heist film."
    assert len(model.prompts) == 1
    assert fallback.calls == 0


def test_writer_retries_with_strict_prompt():
    model = ScriptedModel(["If you liked Alien, try Heat.", "Heat and Up are both great."])
    writer, fallback = make_writer(model)

    outcome = writer.compose_recommendation(request(HEAT, UP, message="I loved Alien"))

    assert outcome.text == "Heat and Up are both great."
    assert outcome.first.extra == ["Alien"]
    assert outcome.first.missing == ["Up"]
    assert outcome.retry.ok
    assert "Alien" in model.prompts[0][1]["content"]
    assert "Alien" not in model.prompts[1][1]["content"]
    assert fallback.calls == 0


def test_writer_falls_back_after_retry():
    model = ScriptedModel(["Try Aliens.", "Try The Matrix."])
    writer, fallback = make_writer(model)

    text = writer.write_recommendations(request(HEAT))

    assert text == "TEMPLATE RECOMMENDATION"
    assert len(model.prompts) == 2
    assert writer.fallbacks["guard"] == 1


@pytest.mark.parametrize(
    "reply",
    ["", "   ", "Heat Heat Heat Heat", "Friend: a tense crime film\nMovies: Heat (1995, crime)"],
)
def test_writer_rejects_bad_output(reply):
    writer, fallback = make_writer(ScriptedModel([reply]))

    outcome = writer.compose_recommendation(request(HEAT))

    assert outcome.text is None
    assert outcome.first.problems
    assert writer.write_recommendations(request(HEAT)) == "TEMPLATE RECOMMENDATION"


def test_writer_trims_truncated_output():
    writer, _ = make_writer(ScriptedModel(["Heat is a tense film. It has the best"], truncated=True))

    assert writer.write_recommendations(request(HEAT)) == "Heat is a tense film."


def test_writer_budget_falls_back_while_model_runs():
    model = BlockingModel()
    writer, fallback = make_writer(model, budget=0.2)
    try:
        outcome = writer.compose_recommendation(request(HEAT))

        assert outcome.text is None
        assert outcome.fallback_reason == "timed out"
        assert not model.finished.is_set()
        assert writer.write_recommendations(request(HEAT)) == "TEMPLATE RECOMMENDATION"
    finally:
        model.release.set()
        writer.close()


def test_writer_model_error_falls_back():
    writer, fallback = make_writer(FailingModel())

    text = writer.write_recommendations(request(HEAT))

    assert text == "TEMPLATE RECOMMENDATION"
    assert writer.fallbacks["error"] == 1


def test_writer_load_failure_is_remembered():
    attempts = []
    fallback = RecordingFallback()

    def broken_loader():
        attempts.append(1)
        raise FileNotFoundError("no model here")

    writer = GeneratorWriter(Settings(writer_budget_s=5), fallback, model_loader=broken_loader, titles=TITLES)

    assert writer.write_recommendations(request(HEAT)) == "TEMPLATE RECOMMENDATION"
    assert writer.write_recommendations(request(HEAT)) == "TEMPLATE RECOMMENDATION"
    assert attempts == [1]


def test_writer_no_items_uses_fallback():
    model = ScriptedModel(["Heat."])
    writer, fallback = make_writer(model)

    assert writer.write_recommendations(RecommendationRequest(items=())) == "TEMPLATE RECOMMENDATION"
    assert model.prompts == []


def test_writer_feedback_ack_generated():
    model = ScriptedModel(["Glad you liked it!"])
    writer, fallback = make_writer(model)

    text = writer.write_feedback_ack(FeedbackAck(liked=(HEAT,), user_message="loved Heat"))

    assert text == "Glad you liked it!"
    assert "Liked: Heat (1995, crime)" in model.prompts[0][1]["content"]


def test_writer_feedback_ack_other_title_falls_back():
    model = ScriptedModel(["Then you will love The Matrix!"])
    writer, fallback = make_writer(model)

    text = writer.write_feedback_ack(FeedbackAck(liked=(HEAT,)))

    assert text == "TEMPLATE ACK"
    assert len(model.prompts) == 1


def test_writer_feedback_ack_without_items():
    model = ScriptedModel(["Thanks!"])
    writer, _ = make_writer(model)

    assert writer.write_feedback_ack(FeedbackAck(user_message="hmm")) == "TEMPLATE ACK"
    assert model.prompts == []


def test_writer_rejects_zero_budget():
    with pytest.raises(ValueError, match="BOT_WRITER_BUDGET_S is 0"):
        GeneratorWriter(Settings(writer_budget_s=0), RecordingFallback(), titles=TITLES)


def test_request_context_uses_history():
    req = RecommendationRequest(
        items=(ShownItem(HEAT, 1),),
        user_message="something tense",
        history=(("user", "hi"), ("bot", "hello"), ("user", "I like crime"), ("user", "something tense")),
    )

    assert request_context(req) == "I like crime something tense"


def test_request_context_from_summary():
    req = RecommendationRequest(items=(ShownItem(HEAT, 1),), preference_summary="from the 1990s, crime")

    assert request_context(req) == "I'd like something from the 1990s, crime."
