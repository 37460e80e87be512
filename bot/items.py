"""Catalog item and in-memory catalog, shared by every part of the core."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    """One recommendable catalog entry.

    ``source_ids`` maps a source name (``"redial"``, ``"wikipedia"``, ``"imdb"``)
    to that source's identifier for the item.
    """

    id: str
    title: str
    year: int | None = None
    genres: tuple[str, ...] = ()
    description: str = ""
    people: tuple[str, ...] = ()
    link: str = ""
    source_ids: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def label(self) -> str:
        """Title with the year in parentheses, as shown to users."""
        return f"{self.title} ({self.year})" if self.year else self.title


class Catalog(Sequence[Item]):
    """Ordered, validated items with lookup by id.

    The position of an item is its row in the vector index.
    """

    def __init__(self, items: Sequence[Item], fingerprint: str, source: str = "") -> None:
        self._items = list(items)
        self.fingerprint = fingerprint
        self.source = source
        self._row_by_id = {item.id: row for row, item in enumerate(self._items)}

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, row):  # type: ignore[override]
        return self._items[row]

    def __iter__(self) -> Iterator[Item]:
        return iter(self._items)

    def row_of(self, item_id: str) -> int:
        """Return the row of ``item_id``; raise KeyError naming the id if it is absent."""
        try:
            return self._row_by_id[item_id]
        except KeyError:
            raise KeyError(f"Item id '{item_id}' is not in the catalog {self.source or ''}".strip()) from None

    def get(self, item_id: str) -> Item | None:
        row = self._row_by_id.get(item_id)
        return None if row is None else self._items[row]

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._row_by_id
