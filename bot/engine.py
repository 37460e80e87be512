"""Loaded resources of the recommender: catalog, index, embedder, ranker,
title resolver, people lookup, feedback store and reply writer."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass

from bot.catalog import load_catalog
from bot.embedding import Embedder
from bot.feedback import FeedbackStore
from bot.index import load_index
from bot.items import Catalog
from bot.popularity import load_redial_prior
from bot.ranking import Ranker
from bot.replies.base import ReplyWriter
from bot.replies.factory import make_writer
from bot.settings import Settings
from bot.titles import TitleResolver

logger = logging.getLogger(__name__)


class PeopleLookup:
    """Finds catalog people (two or more words, e.g. "Sigourney Weaver") named in free text."""

    def __init__(self, catalog: Catalog) -> None:
        self._names: dict[str, str] = {}
        for item in catalog:
            for person in item.people:
                key = " ".join(person.lower().split())
                if len(key.split()) >= 2:
                    self._names.setdefault(key, person)

    def find(self, text: str) -> list[str]:
        words = re.findall(r"[\w'.-]+", text.lower())
        found: list[str] = []
        for size in (3, 2):
            for start in range(len(words) - size + 1):
                name = self._names.get(" ".join(words[start : start + size]))
                if name and name not in found:
                    found.append(name)
        return found


@dataclass
class Engine:
    settings: Settings
    catalog: Catalog
    ranker: Ranker
    resolver: TitleResolver
    people: PeopleLookup
    feedback: FeedbackStore
    writer: ReplyWriter

    @property
    def latest_year(self) -> int:
        years = [item.year for item in self.catalog if item.year]
        return max(years) if years else 2024


def load_engine(settings: Settings) -> Engine:
    """Load every resource named by ``settings``; raises if the index is missing or stale."""
    started = time.perf_counter()
    catalog = load_catalog(settings.catalog_path)
    embedder = Embedder(settings.embedder)
    index = load_index(settings.index_dir, catalog, settings.embedder)
    engine = Engine(
        settings=settings,
        catalog=catalog,
        ranker=Ranker(catalog, index, embedder, popularity=load_redial_prior(catalog)),
        resolver=TitleResolver(catalog),
        people=PeopleLookup(catalog),
        feedback=FeedbackStore(settings.feedback_url),
        writer=make_writer(settings),
    )
    logger.info("Recommender engine loaded in %.1f s (%d items)", time.perf_counter() - started, len(catalog))
    return engine


class LazyEngine:
    """Loads the engine on first use, once per process, safely across threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def get(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = load_engine(self.settings)
        return self._engine
