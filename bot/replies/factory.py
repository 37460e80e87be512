"""Choose the reply writer named in the settings."""

from __future__ import annotations

import logging

from bot.replies.base import ReplyWriter
from bot.replies.templates import TemplateWriter
from bot.settings import Settings

logger = logging.getLogger(__name__)

WRITERS = ("template", "generator")


def make_writer(settings: Settings) -> ReplyWriter:
    """Return the writer for ``settings.writer``; the generator falls back to templates on failure."""
    if settings.writer == "template":
        return TemplateWriter()
    if settings.writer == "generator":
        try:
            from bot.generator.writer import GeneratorWriter
        except ImportError as error:
            logger.error("Generator writer unavailable (%s); using the template writer", error)
            return TemplateWriter()
        return GeneratorWriter(settings, fallback=TemplateWriter())
    raise ValueError(f"Invalid BOT_WRITER '{settings.writer}'; expected one of {list(WRITERS)}")
