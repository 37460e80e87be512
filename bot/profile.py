"""Session profile: everything the user has stated or signalled in one conversation.

The profile is a plain JSON-serialisable dict when stored (the dialogue engine
keeps it in a slot), and a :class:`SessionProfile` while the core works on it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_DESCRIPTIONS = 8


@dataclass
class SessionProfile:
    """Preferences and feedback gathered during one conversation.

    Item lists hold catalog ids in the order they were added.
    """

    liked: list[str] = field(default_factory=list)
    disliked: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    # Items named by the user as a reference ("something like Alien").
    references: list[str] = field(default_factory=list)
    # Every item shown so far, and the ones shown in the last recommendation turn.
    shown: list[str] = field(default_factory=list)
    last_shown: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    excluded_genres: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    # Free-text wishes ("less scary", "a heist with a twist"), newest last.
    descriptions: list[str] = field(default_factory=list)
    # Reasons given for each item of the last recommendation turn, by item id.
    reasons: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "SessionProfile":
        """Build a profile from its stored form; unknown keys are ignored, None gives an empty profile."""
        if not data:
            return cls()
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def blocked(self) -> set[str]:
        """Ids that must not be recommended again in this conversation."""
        return set(self.disliked) | set(self.seen) | set(self.liked) | set(self.shown) | set(self.references)

    def has_preferences(self) -> bool:
        """Return whether anything has been stated that a query can be built from."""
        return bool(
            self.liked
            or self.references
            or self.genres
            or self.people
            or self.descriptions
            or self.year_min is not None
            or self.year_max is not None
        )

    def add_unique(self, attribute: str, values: list[str]) -> None:
        current: list[str] = getattr(self, attribute)
        for value in values:
            if value not in current:
                current.append(value)

    def add_description(self, text: str) -> None:
        text = text.strip()
        if text and text not in self.descriptions:
            self.descriptions.append(text)
            del self.descriptions[:-MAX_DESCRIPTIONS]

    def record_signal(self, item_id: str, signal: str) -> None:
        """Apply a feedback signal (``like``, ``dislike`` or ``seen``) to the profile."""
        lists = {"like": self.liked, "dislike": self.disliked, "seen": self.seen}
        if signal not in lists:
            raise ValueError(f"Unknown feedback signal '{signal}'; expected one of {sorted(lists)}")
        for other in lists.values():
            if item_id in other and other is not lists[signal]:
                other.remove(item_id)
        if item_id not in lists[signal]:
            lists[signal].append(item_id)
