"""Dialogue policy that predicts an apology after a custom action failed.

Rasa 3.6 catches any exception raised while running a custom action (the action
server is down, times out or returns an error), logs it and records the action
with no events (``MessageProcessor._run_action``). The user would get no reply.

Every custom action of this bot returns at least one event on success (it always
sends a message, and always sets the ``profile`` slot). So when the newest event
of the tracker is the ``ActionExecuted`` of a custom action, that action failed,
and this policy predicts a fixed response (``utter_engine_unavailable``) with full
confidence. The policy sits in the dialogue model, so it works for every input
channel, ``rasa shell`` included.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import InvalidConfigException

logger = logging.getLogger(__name__)

# Above RulePolicy (6), so that a rule predicting action_listen after the
# failed action does not win the tie at confidence 1.0.
DEFAULT_PRIORITY = 7


def failed_custom_action(tracker: DialogueStateTracker, domain: Domain) -> str | None:
    """Return the name of the custom action that just ran without events, or None."""
    if not tracker.events:
        return None
    latest = tracker.events[-1]
    if not isinstance(latest, ActionExecuted) or latest.action_name is None:
        return None
    # Domain.user_actions also lists the responses (utter_*), which Rasa runs itself.
    is_custom = latest.action_name in domain.user_actions and latest.action_name not in domain.responses
    if not is_custom or latest.action_name in domain.form_names:
        return None
    return latest.action_name


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class ActionFailurePolicy(Policy):
    """Predict a fixed response after a custom action that returned no events.

    Config: ``response`` is the response to predict (it must be in the domain),
    ``priority`` the policy priority.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"response": "utter_engine_unavailable", "priority": DEFAULT_PRIORITY}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.response = config["response"]

    def train(
        self,
        training_trackers: list[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        """Check that the configured response exists; there is nothing to learn."""
        if self.response not in domain.action_names_or_texts:
            raise InvalidConfigException(
                f"ActionFailurePolicy: response '{self.response}' is not in the domain. "
                f"Add it under 'responses:' or set the policy's 'response' option to an "
                f"existing response."
            )
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action_name = failed_custom_action(tracker, domain)
        if action_name is None or self.response not in domain.action_names_or_texts:
            return self._prediction(probabilities)

        logger.warning(
            "Custom action '%s' returned no events in conversation '%s', so it most likely "
            "failed on the action server. Predicting '%s'.",
            action_name,
            tracker.sender_id,
            self.response,
        )
        probabilities[domain.index_for_action(self.response)] = 1.0
        # A no-user prediction overrules the predictions based on the user's message,
        # such as a rule that expects action_listen after the action.
        return self._prediction(probabilities, is_no_user_prediction=True)
