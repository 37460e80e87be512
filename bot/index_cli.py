"""``python -m bot index build|info``: build the vector index or show its manifest."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict, replace
from pathlib import Path

from bot.settings import Settings

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    build = subparsers.add_parser("build", help="embed the catalog and write the FAISS index")
    build.add_argument("--catalog", type=Path, help="catalog file (default: BOT_CATALOG or data/catalog/movies.jsonl)")
    build.add_argument("--embedder", help="embedder name or local model folder (default: BOT_EMBEDDER)")
    build.add_argument("--out", type=Path, help="index folder (default: <BOT_MODELS_DIR>/index)")
    build.add_argument("--kind", choices=["flat", "hnsw"], default="flat", help="flat is exact; hnsw is approximate")
    build.add_argument(
        "--if-stale", action="store_true", help="do nothing when the existing index matches the catalog and embedder"
    )
    build.set_defaults(handler=run_build)

    info = subparsers.add_parser("info", help="print the index manifest and whether it matches the catalog")
    info.add_argument("--catalog", type=Path)
    info.add_argument("--out", type=Path)
    info.set_defaults(handler=run_info)


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if getattr(args, "catalog", None):
        settings = replace(settings, catalog_path=args.catalog)
    if getattr(args, "embedder", None):
        settings = replace(settings, embedder=args.embedder)
    return settings


def run_build(args: argparse.Namespace) -> int:
    from bot.catalog import CatalogError, load_catalog
    from bot.embedding import Embedder, EmbedderNotFoundError
    from bot.index import VectorIndexError, build_index, check_manifest

    settings = _settings(args)
    out_dir = args.out or settings.index_dir
    try:
        catalog = load_catalog(settings.catalog_path)
    except (CatalogError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.if_stale:
        try:
            check_manifest(out_dir, catalog, settings.embedder)
            print(f"Index in {out_dir} is up to date ({len(catalog)} items); nothing to do.")
            return 0
        except VectorIndexError as reason:
            logger.info("Rebuilding the index: %s", reason)
    try:
        manifest = build_index(catalog, Embedder(settings.embedder), out_dir, kind=args.kind)
    except EmbedderNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Built {manifest.kind} index of {manifest.count} items ({manifest.dimension} dimensions) in {out_dir}")
    return 0


def run_info(args: argparse.Namespace) -> int:
    from bot.catalog import load_catalog
    from bot.index import VectorIndexError, check_manifest, read_manifest

    settings = _settings(args)
    out_dir = args.out or settings.index_dir
    manifest = read_manifest(out_dir)
    if manifest is None:
        print(f"No index in {out_dir}. Build it with 'python -m bot index build'.")
        return 1
    print(json.dumps(asdict(manifest), indent=2))
    try:
        check_manifest(out_dir, load_catalog(settings.catalog_path), settings.embedder)
        print("The index matches the configured catalog and embedder.")
        return 0
    except VectorIndexError as error:
        print(f"Stale: {error}")
        return 1
