"""Reply generator: a small causal LM with a LoRA adapter, guarded for faithfulness.

Nothing here loads a model at import time; ``GeneratorWriter`` loads on first use.
"""
