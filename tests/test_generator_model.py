"""Generation and training mechanics on a tiny random model with the real SmolLM2 tokenizer."""

import threading
import time

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from bot.generator.files import ADAPTER_SUBDIR, BASE_SUBDIR, generator_dir  # noqa: E402
from bot.generator.model import ReplyModel  # noqa: E402
from bot.generator.pairs import Pair  # noqa: E402
from bot.generator.prompt import PromptItem  # noqa: E402
from bot.generator.train import (  # noqa: E402
    IGNORE_INDEX,
    TrainConfig,
    batch_order,
    collate,
    encode_pair,
    learning_rate_at,
    mean_loss,
    reply_loss,
    save_adapter,
    train_adapter,
)
from bot.generator.writer import GeneratorWriter  # noqa: E402
from bot.items import Item  # noqa: E402
from bot.replies.base import RecommendationRequest, ShownItem  # noqa: E402
from bot.settings import PROJECT_ROOT, Settings  # noqa: E402

PAIRS = [
    Pair("recommend", "a tense heist", (PromptItem("Heat", 1995, ("Crime",)),), "Heat is great."),
    Pair("recommend", "", (PromptItem("Up", 2009), PromptItem("Heat")), "Try Up or Heat!"),
    Pair("ack", "loved it", (PromptItem("Heat", feedback="liked"),), "Glad you liked it."),
    Pair("recommend", "space", (PromptItem("Alien", 1979),), "Alien, for sure."),
]


def _tokenizer_dir():
    folder = generator_dir(PROJECT_ROOT / "models")
    for candidate in (folder / ADAPTER_SUBDIR, folder / BASE_SUBDIR):
        if (candidate / "tokenizer.json").is_file():
            return candidate
    pytest.skip("SmolLM2 tokenizer files not found; run `python -m bot generator prepare`")


@pytest.fixture(scope="module")
def tokenizer():
    return transformers.AutoTokenizer.from_pretrained(_tokenizer_dir())


def _tiny_model(tokenizer):
    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=2,
    )
    return transformers.LlamaForCausalLM(config).eval()


@pytest.fixture
def tiny(tokenizer):
    return ReplyModel(_tiny_model(tokenizer), tokenizer, name="tiny")


def test_generate_stops_at_limit(tiny):
    generation = tiny.generate([{"role": "user", "content": "hi"}], max_new_tokens=5)

    # The seeded random model never emits an end-of-turn token in five steps.
    assert generation.new_tokens == 5
    assert generation.truncated
    assert not generation.stopped
    assert isinstance(generation.text, str)


def test_generate_past_deadline_stops(tiny):
    generation = tiny.generate([{"role": "user", "content": "hi"}], max_new_tokens=20, deadline=time.monotonic() - 1)

    assert generation.stopped
    assert generation.new_tokens == 1


def test_generate_cancelled_stops(tiny):
    cancel = threading.Event()
    cancel.set()

    generation = tiny.generate([{"role": "user", "content": "hi"}], max_new_tokens=20, cancel=cancel)

    assert generation.stopped
    assert generation.new_tokens == 1


def test_encode_pair_masks_prompt(tokenizer):
    example = encode_pair(tokenizer, PAIRS[0])
    learned = [token for token, label in zip(example.input_ids, example.labels) if label != IGNORE_INDEX]

    assert len(example.input_ids) == len(example.labels)
    assert example.labels[0] == IGNORE_INDEX
    assert tokenizer.decode(learned) == "Heat is great.<|im_end|>"
    assert "Movies: Heat (1995, crime)" in tokenizer.decode(example.input_ids)


def test_reply_loss_matches_full_loss(tokenizer):
    model = _tiny_model(tokenizer)
    batch = collate([encode_pair(tokenizer, pair) for pair in PAIRS], tokenizer.pad_token_id)

    with torch.no_grad():
        fast = reply_loss(model, batch)
        full = model(**batch).loss

    assert float(fast) == pytest.approx(float(full), rel=1e-4)


def test_collate_pads_right(tokenizer):
    examples = [encode_pair(tokenizer, pair) for pair in PAIRS[:2]]

    batch = collate(examples, pad_id=2)

    shorter = min(range(2), key=lambda row: len(examples[row].input_ids))
    length = len(examples[shorter].input_ids)
    assert batch["attention_mask"][shorter, length:].sum() == 0
    assert (batch["labels"][shorter, length:] == IGNORE_INDEX).all()
    assert batch["input_ids"].shape[1] == max(len(e.input_ids) for e in examples)


def test_batch_order_repeats_multi_item_pairs():
    config = TrainConfig(steps=2, batch_size=5, multi_item_weight=2)

    order = batch_order(PAIRS, config)

    assert len(order) == 10
    assert sorted(order[:5]) == [0, 1, 1, 2, 3]


def test_learning_rate_schedule():
    config = TrainConfig(steps=100, warmup_steps=10, learning_rate=1e-3)

    assert learning_rate_at(0, config) == pytest.approx(1e-4)
    assert learning_rate_at(9, config) == pytest.approx(1e-3)
    assert learning_rate_at(99, config) == pytest.approx(1e-4, rel=0.01)


def test_train_save_and_reload(tmp_path, tokenizer):
    model = _tiny_model(tokenizer)
    config = TrainConfig(steps=3, batch_size=2, log_every=1, threads=1, first_layer=1, learning_rate=1e-2,
                         warmup_steps=1)

    peft_model, record = train_adapter(model, tokenizer, PAIRS, config, eval_pairs=PAIRS[:2])

    assert [point["step"] for point in record["history"]] == [1, 2, 3]
    assert record["eval_loss_finetuned"] != record["eval_loss_base"]
    trained = {name for name, p in peft_model.named_parameters() if p.requires_grad}
    assert trained and all("lora_" in name for name in trained)
    assert all(".layers.1." in name for name in trained)

    base_dir, adapter_dir = tmp_path / "base", tmp_path / "adapter"
    _tiny_model(tokenizer).save_pretrained(base_dir)
    tokenizer.save_pretrained(base_dir)
    save_adapter(peft_model, tokenizer, adapter_dir, record)

    assert (adapter_dir / "adapter_model.safetensors").is_file()
    assert (adapter_dir / "training.json").is_file()
    assert not (adapter_dir / "README.md").exists()
    from safetensors.torch import load_file

    assert {t.dtype for t in load_file(adapter_dir / "adapter_model.safetensors").values()} == {torch.float16}

    reloaded = ReplyModel.load(base_dir, adapter_dir, precision="int8")
    assert reloaded.name == "fine-tuned int8"
    assert reloaded.generate([{"role": "user", "content": "hi"}], max_new_tokens=3).new_tokens >= 1


def test_mean_loss_counts_reply_tokens(tokenizer):
    model = _tiny_model(tokenizer)
    examples = [encode_pair(tokenizer, pair) for pair in PAIRS]

    per_batch = mean_loss(model, examples, pad_id=2, batch_size=4)
    per_example = mean_loss(model, examples, pad_id=2, batch_size=1)

    assert per_batch == pytest.approx(per_example, rel=1e-4)


def test_writer_with_random_model_falls_back(tiny):
    class Fallback:
        name = "template"

        def write_recommendations(self, request):
            return "TEMPLATE"

        def write_feedback_ack(self, ack):
            return "TEMPLATE ACK"

    writer = GeneratorWriter(
        Settings(writer_budget_s=60), Fallback(), model_loader=lambda: tiny, titles=["Heat", "Up"], max_new_tokens=8
    )
    item = Item(id="1", title="The Conversation Of Nobody", year=1974)

    outcome = writer.compose_recommendation(RecommendationRequest(items=(ShownItem(item, 1),)))

    # A random model does not name the item, so both attempts fail and the template replies.
    assert outcome.text is None
    assert len(outcome.generations) == 2
    assert not outcome.first.ok
    assert not outcome.retry.ok
    assert outcome.fallback_reason.startswith("guard")
