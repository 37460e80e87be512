"""The committed adapter on the real base model: a real reply must pass the guard."""

import pytest

from bot.generator.files import ADAPTER_SUBDIR, BASE_SUBDIR, generator_dir
from bot.generator.guard import FaithfulnessGuard
from bot.generator.prompt import PromptItem
from bot.items import Item
from bot.replies.base import FeedbackAck, RecommendationRequest, ShownItem
from bot.settings import PROJECT_ROOT, Settings

FOLDER = generator_dir(PROJECT_ROOT / "models")
TITLES = ["Heat", "Toy Story", "Alien", "Aliens", "The Matrix", "Up", "Jaws", "Inception", "Titanic", "Ronin"]


@pytest.fixture(scope="module")
def writer():
    if not (FOLDER / BASE_SUBDIR / "model.safetensors").is_file():
        pytest.skip("base model not prepared; run `python -m bot generator prepare`")
    if not (FOLDER / ADAPTER_SUBDIR / "adapter_config.json").is_file():
        pytest.skip("no adapter in models/generator/adapter; run `python -m bot generator train`")
    from bot.generator.model import ReplyModel
    from bot.generator.writer import GeneratorWriter
    from bot.replies.templates import TemplateWriter

    model = ReplyModel.load(FOLDER / BASE_SUBDIR, FOLDER / ADAPTER_SUBDIR)
    assert model.name == "fine-tuned"
    generator = GeneratorWriter(
        Settings(writer_budget_s=120), TemplateWriter(), model_loader=lambda: model, titles=TITLES
    )
    generator.load()
    yield generator
    generator.close()


@pytest.mark.slow
def test_real_reply_passes_guard(writer):
    heat = Item(id="1", title="Heat", year=1995, genres=("Crime", "Thriller"))
    request = RecommendationRequest(items=(ShownItem(heat, 1),), user_message="I want a tense crime movie")

    outcome = writer.compose_recommendation(request)

    assert outcome.text is not None, outcome.generations
    assert "Heat" in outcome.text
    check = FaithfulnessGuard(TITLES).check(outcome.text, [PromptItem("Heat", 1995)])
    assert check.ok, check.reason


@pytest.mark.slow
def test_real_ack_passes_guard(writer):
    toy_story = Item(id="2", title="Toy Story", year=1995, genres=("Animated",))

    outcome = writer.compose_feedback_ack(FeedbackAck(liked=(toy_story,), user_message="I loved that one"))

    assert outcome.text is not None, outcome.generations
    check = FaithfulnessGuard(TITLES).check(outcome.text, [PromptItem("Toy Story", 1995)], require_all=False)
    assert check.ok, check.reason
