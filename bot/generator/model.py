"""The causal language model that writes replies: loading, speed-ups and greedy generation.

Loading applies the LoRA adapter and merges it into the base weights, so a
reply costs the same as with the base model. The weights then stay in float32,
are cast to bfloat16, or have their linear layers quantized to int8
(``torch.ao.quantization.quantize_dynamic``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.generator.files import require_base

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)

DEFAULT_MAX_NEW_TOKENS = 48
PRECISIONS = ("fp32", "bf16", "int8")
END_OF_TURN = "<|im_end|>"


@dataclass(frozen=True)
class Generation:
    """A decoded reply and how generation ended."""

    text: str
    new_tokens: int
    # Generation hit max_new_tokens before the end-of-turn token, so the text may stop mid-sentence.
    truncated: bool
    # A deadline or a cancellation stopped generation early.
    stopped: bool
    seconds: float


def _stopping_criteria(deadline: float | None, cancel: threading.Event | None):
    from transformers import StoppingCriteria, StoppingCriteriaList

    class _DeadlineOrCancel(StoppingCriteria):
        def __init__(self) -> None:
            self.triggered = False

        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
            late = deadline is not None and time.monotonic() >= deadline
            self.triggered = late or (cancel is not None and cancel.is_set())
            return self.triggered

    criterion = _DeadlineOrCancel()
    return StoppingCriteriaList([criterion]), criterion


class ReplyModel:
    """A tokenizer and a causal LM ready for greedy chat generation."""

    def __init__(self, model: Any, tokenizer: Any, *, name: str = "model") -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.end_ids = sorted({tokenizer.convert_tokens_to_ids(END_OF_TURN), tokenizer.eos_token_id} - {None})
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self.end_ids[0]

    @classmethod
    def load(
        cls,
        base_dir: Path,
        adapter_dir: Path | None = None,
        *,
        precision: str = "fp32",
        merge: bool = True,
        threads: int | None = None,
    ) -> "ReplyModel":
        """Load the base model, merge the adapter into it if given, and convert it to ``precision``.

        ``merge=False`` keeps the adapter as separate LoRA layers, which is
        slower and only useful to measure what merging saves.
        """
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if precision not in PRECISIONS:
            raise ValueError(f"Invalid precision '{precision}'; expected one of {list(PRECISIONS)}")
        if threads:
            torch.set_num_threads(threads)
        started = time.perf_counter()
        base_dir = require_base(base_dir)
        model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
        tokenizer_dir = adapter_dir if adapter_dir and (Path(adapter_dir) / "tokenizer.json").is_file() else base_dir
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
        name = "base"
        if adapter_dir is not None:
            from peft import PeftModel

            if not (Path(adapter_dir) / "adapter_config.json").is_file():
                raise FileNotFoundError(
                    f"LoRA adapter not found in {adapter_dir}; train one with `python -m bot generator train`"
                )
            model = PeftModel.from_pretrained(model, adapter_dir)
            name = "fine-tuned"
            if merge:
                # Merging folds the low-rank update into each weight, so generation needs no extra matmuls.
                model = model.merge_and_unload()
            else:
                name += " unmerged"
        model.eval()
        if precision == "bf16":
            model = model.to(torch.bfloat16)
        elif precision == "int8":
            model = quantize_int8(model)
        if precision != "fp32":
            name += f" {precision}"
        logger.info("Loaded the %s generator from %s in %.1f s", name, base_dir, time.perf_counter() - started)
        return cls(model, tokenizer, name=name)

    def prompt_ids(self, messages: list[dict[str, str]]) -> "torch.Tensor":
        """Tokenize a chat prompt that ends with the assistant's turn opened."""
        encoded = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        return encoded["input_ids"]

    def generate(
        self,
        messages: list[dict[str, str]],
        *,
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
        deadline: float | None = None,
        cancel: threading.Event | None = None,
    ) -> Generation:
        """Greedily continue the chat ``messages`` until the end-of-turn token, a limit or a stop.

        ``deadline`` is a ``time.monotonic()`` value; generation stops at the
        first token after it, and so does a set ``cancel`` event.
        """
        import torch

        started = time.perf_counter()
        input_ids = self.prompt_ids(messages)
        criteria, criterion = _stopping_criteria(deadline, cancel)
        with torch.inference_mode():
            output = self.model.generate(
                input_ids=input_ids,
                attention_mask=torch.ones_like(input_ids),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                use_cache=True,
                eos_token_id=self.end_ids,
                pad_token_id=self.pad_id,
                stopping_criteria=criteria,
            )
        new_ids = output[0, input_ids.shape[1] :].tolist()
        ended = bool(new_ids) and new_ids[-1] in self.end_ids
        text = self.tokenizer.decode(new_ids, skip_special_tokens=True).strip()
        return Generation(
            text=text,
            new_tokens=len(new_ids),
            truncated=not ended and len(new_ids) >= max_new_tokens,
            stopped=criterion.triggered and not ended,
            seconds=time.perf_counter() - started,
        )


def quantize_int8(model: Any) -> Any:
    """Replace the model's linear layers by dynamically quantized int8 ones (CPU inference only)."""
    import torch

    return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
