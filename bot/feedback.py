"""Durable feedback store on SQLAlchemy: SQLite by default, any SQLAlchemy URL works."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (
    Column, DateTime, Integer, MetaData, String, Table, Text, create_engine, event, insert, select,
)
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

SIGNALS = ("like", "dislike", "seen")

metadata = MetaData()
feedback_events = Table(
    "feedback_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("item_id", String(512), nullable=False, index=True),
    Column("signal", String(16), nullable=False),
    Column("position", Integer, nullable=True),
    Column("message", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class FeedbackEvent:
    """One signal about one item. ``position`` is the 1-based place it was shown at, if known."""

    conversation_id: str
    item_id: str
    signal: str
    position: int | None
    message: str
    created_at: datetime | None = None


class FeedbackStoreError(RuntimeError):
    """Writing or reading feedback failed; nothing of the failed write was kept."""


def _enable_sqlite_wal(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


class FeedbackStore:
    """Append-only log of feedback events.

    :meth:`record` returns only after the transaction commits, so a caller may
    acknowledge feedback to the user once it returns.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            _enable_sqlite_wal(self.engine)
        metadata.create_all(self.engine)
        logger.info("Feedback store ready at %s", self.engine.url.render_as_string(hide_password=True))

    def record(self, events: list[FeedbackEvent]) -> None:
        """Write all ``events`` in one transaction; raise FeedbackStoreError if it fails."""
        for feedback in events:
            if feedback.signal not in SIGNALS:
                raise ValueError(f"Invalid feedback signal '{feedback.signal}'; expected one of {list(SIGNALS)}")
        now = datetime.now(timezone.utc)
        rows = [
            {
                "conversation_id": feedback.conversation_id,
                "item_id": feedback.item_id,
                "signal": feedback.signal,
                "position": feedback.position,
                "message": feedback.message,
                "created_at": feedback.created_at or now,
            }
            for feedback in events
        ]
        if not rows:
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(feedback_events), rows)
        except Exception as error:  # any driver error: the transaction rolled back
            logger.exception("Failed to store %d feedback events", len(rows))
            raise FeedbackStoreError(f"Could not store feedback in {self.engine.url.database}: {error}") from error

    def events(self, conversation_id: str | None = None) -> list[FeedbackEvent]:
        """Return stored events, oldest first, optionally for one conversation."""
        query = select(feedback_events).order_by(feedback_events.c.id)
        if conversation_id is not None:
            query = query.where(feedback_events.c.conversation_id == conversation_id)
        with self.engine.connect() as connection:
            return [
                FeedbackEvent(
                    conversation_id=row.conversation_id,
                    item_id=row.item_id,
                    signal=row.signal,
                    position=row.position,
                    message=row.message,
                    created_at=row.created_at,
                )
                for row in connection.execute(query)
            ]
