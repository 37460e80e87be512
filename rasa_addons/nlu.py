"""NLU component for messages without any word: empty, blank, emoji or symbols only.

DIET still ranks the intents of such a message, and in this bot an empty
message came out as `affirm` with high confidence (Rasa 3.6.21, checked over
REST). This component replaces that guess with `nlu_fallback`, so the dialogue
replies with utter_default, or passes the text to the recommender core while
preference_form is active.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

# A letter or digit of any script.
WORD_CHARACTER = re.compile(r"[^\W_]")


def has_words(text: str | None) -> bool:
    """Return whether ``text`` contains at least one letter or digit."""
    return bool(text and WORD_CHARACTER.search(text))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class NoWordsClassifier(GraphComponent, IntentClassifier):
    """Set `nlu_fallback` with full confidence, and no entities, on messages without words.

    Place it after the other intent classifiers, so that its intent wins.
    """

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NoWordsClassifier:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if has_words(text):
                continue
            logger.debug("Message %r contains no letter or digit; predicting '%s'", text, DEFAULT_NLU_FALLBACK_INTENT_NAME)
            fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback], add_to_output=True)
            message.set(ENTITIES, [], add_to_output=True)
        return messages
