"""``python -m bot recommend "something like Alien"``: one recommendation turn without the dialogue engine."""

from __future__ import annotations

import argparse
import json
import sys

from bot.settings import Settings


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("message", nargs="+", help="what the user says, e.g. \"something like Alien, from the 80s\"")
    parser.add_argument("--profile", type=argparse.FileType("r"), help="JSON session profile to continue from")
    parser.add_argument("--json", action="store_true", help="print the whole turn result as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.index import VectorIndexError
    from bot.service import RecommenderService

    profile = None
    if args.profile:
        try:
            profile = json.load(args.profile)
        except json.JSONDecodeError as error:
            print(f"error: --profile {args.profile.name} is not valid JSON: {error}", file=sys.stderr)
            return 2
    service = RecommenderService(Settings())
    try:
        service.engine
    except (VectorIndexError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = service.recommend(profile, " ".join(args.message), [], conversation_id="cli")
    if args.json:
        print(json.dumps(result.__dict__, indent=2))
    else:
        print(result.text)
    return 0
