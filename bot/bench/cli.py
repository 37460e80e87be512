"""``python -m bot bench redial|movielens``: run a benchmark and write its tables into the docs."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from bot.redial import DEFAULT_CONVERSATIONS_PATH, DEFAULT_HELDOUT_PATH, DEFAULT_MOVIES_PATH
from bot.settings import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

DEFAULT_REPORT = PROJECT_ROOT / "docs" / "benchmarks.md"
DEFAULT_PLOT = PROJECT_ROOT / "docs" / "img" / "bench_redial_recall.png"
DEFAULT_BENCH_MODELS = PROJECT_ROOT / "models" / "bench"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``redial`` and ``movielens`` commands to the ``bench`` command group."""
    settings = Settings()
    redial = subparsers.add_parser(
        "redial",
        help="Recall@1/10/50 on ReDial's test conversations, standard and no-repeat protocols",
        description="Rank the 6,924 ReDial movies at every recommender turn of ReDial's test conversations.",
    )
    redial.add_argument("--data", type=Path, default=DEFAULT_CONVERSATIONS_PATH, help="ReDial test_data.jsonl")
    redial.add_argument("--movies", type=Path, default=DEFAULT_MOVIES_PATH, help="ReDial movies_with_mentions.csv")
    redial.add_argument(
        "--heldout", type=Path, default=DEFAULT_HELDOUT_PATH, help="held-out conversation ids, one per line"
    )
    redial.add_argument(
        "--catalog", type=Path, default=settings.catalog_path, help="default catalog that gives the movies their text"
    )
    redial.add_argument(
        "--movielens",
        type=Path,
        help="MovieLens folder; adds a popularity baseline from its rating counts and our co-rating step",
    )
    redial.add_argument(
        "--limit", type=int, help="rank only the first N conversations for a quick look; writes no report"
    )
    _common_arguments(redial, settings)
    redial.add_argument("--plot", type=Path, default=DEFAULT_PLOT, help="PNG of Recall@k for k = 1..50")
    redial.set_defaults(handler=run_redial_command)

    movielens = subparsers.add_parser(
        "movielens",
        help="cold start on MovieLens: three liked movies in, Recall@10 and NDCG@10 out",
        description="Cold-start benchmark on MovieLens ml-latest-small; skipped (exit 0) without --data.",
    )
    movielens.add_argument(
        "--data", type=Path, help="MovieLens ml-latest-small folder (research use only, never commit it)"
    )
    movielens.add_argument("--catalog", type=Path, default=settings.catalog_path, help="catalog to recommend from")
    movielens.add_argument(
        "--movies",
        type=Path,
        default=DEFAULT_MOVIES_PATH,
        help="ReDial movies_with_mentions.csv, source of the popularity prior",
    )
    _common_arguments(movielens, settings)
    movielens.set_defaults(handler=run_movielens_command)


def _common_arguments(parser: argparse.ArgumentParser, settings: Settings) -> None:
    parser.add_argument("--embedder", default=settings.embedder, help="embedder name or local model folder")
    parser.add_argument(
        "--models-dir", type=Path, default=DEFAULT_BENCH_MODELS, help="folder for the cached bench indexes"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random choices")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="markdown page that receives the tables")
    parser.add_argument("--no-report", action="store_true", help="print the tables without writing the page")


def _command_line() -> str:
    return "python -m bot " + " ".join(shlex.quote(argument) for argument in sys.argv[1:])


def run_redial_command(args: argparse.Namespace) -> int:
    from bot.bench.plots import plot_recall_curves
    from bot.bench.redial_run import RedialConfig, run_redial
    from bot.bench.report import redial_markdown, write_block

    config = RedialConfig(
        conversations_path=args.data,
        movies_path=args.movies,
        heldout_path=args.heldout,
        catalog_path=args.catalog,
        embedder=args.embedder,
        index_dir=args.models_dir / "redial",
        movielens_path=args.movielens,
        seed=args.seed,
        limit=args.limit,
    )
    try:
        results = run_redial(config)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    markdown = redial_markdown(results, _command_line())
    print(markdown)
    if args.no_report or args.limit:
        if args.limit:
            print("A run with --limit is not written to the report page or the plot.")
        return 0
    write_block(args.report, "redial", markdown)
    plot_recall_curves(results, args.plot)
    print(f"Tables written to {args.report}, plot to {args.plot}.")
    return 0


def _catalog_index_dir(args: argparse.Namespace) -> Path:
    """Return the chat's index folder when it matches the catalog and embedder, else a bench folder."""
    from bot.catalog import load_catalog
    from bot.index import VectorIndexError, check_manifest

    chat_index = Settings().index_dir
    try:
        check_manifest(chat_index, load_catalog(args.catalog), args.embedder)
        return chat_index
    except (VectorIndexError, FileNotFoundError, ValueError) as reason:
        logger.info("Not reusing the chat's index in %s: %s", chat_index, reason)
        return args.models_dir / "catalog"


def run_movielens_command(args: argparse.Namespace) -> int:
    if args.data is None:
        print("MovieLens benchmark skipped: no data folder given (pass --data PATH to ml-latest-small).")
        return 0
    from bot.bench.movielens_data import MovieLensDataError
    from bot.bench.movielens_run import MovieLensConfig, run_movielens
    from bot.bench.report import movielens_markdown, write_block

    config = MovieLensConfig(
        data_path=args.data,
        catalog_path=args.catalog,
        redial_movies_path=args.movies,
        embedder=args.embedder,
        index_dir=_catalog_index_dir(args),
        seed=args.seed,
    )
    try:
        results = run_movielens(config)
    except (FileNotFoundError, MovieLensDataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    markdown = movielens_markdown(results, _command_line())
    print(markdown)
    if not args.no_report:
        write_block(args.report, "movielens", markdown)
        print(f"Table written to {args.report}.")
    return 0
