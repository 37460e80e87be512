"""Command line: ``python -m bot <group> <command> ...``.

Each command group lives in its own module, which exposes
``register(subparsers)``. Each command's parser calls
``parser.set_defaults(handler=function)``, and ``function(args)`` returns the
exit code. Modules keep their heavy imports (torch, faiss) inside the command
functions so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

# group name -> (module path, help text)
COMMAND_GROUPS: dict[str, tuple[str, str]] = {
    "catalog": ("bot.catalog_build", "build or validate a catalog file"),
    "index": ("bot.index_cli", "build or inspect the vector index"),
    "recommend": ("bot.recommend_cli", "ask for recommendations without the dialogue engine"),
    "redial": ("bot.redial", "ReDial data utilities (conversation split)"),
    "bench": ("bot.bench.cli", "run the recommendation benchmarks"),
    "generator": ("bot.generator.cli", "prepare, train and evaluate the reply generator"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True)
    for name, (module_path, help_text) in COMMAND_GROUPS.items():
        group_parser = groups.add_parser(name, help=help_text)
        try:
            module = importlib.import_module(module_path)
        except ModuleNotFoundError as error:
            # A group whose module is missing stays listed and prints the reason when used.
            group_parser.set_defaults(handler=_missing_group(name, error))
            continue
        if name == "recommend":
            module.register(group_parser)
        else:
            module.register(group_parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    return parser


def _missing_group(name: str, error: ModuleNotFoundError):
    def handler(_args: argparse.Namespace) -> int:
        print(f"error: the '{name}' commands are unavailable: {error}", file=sys.stderr)
        return 2

    return handler


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # faiss reports at info level each CPU-specific build it could not load.
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args) or 0)
