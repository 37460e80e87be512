"""Actions that pass a user turn to the recommender core and send its reply.

Every action returns at least the ``profile`` and ``needs_preference`` slots.
The Rasa-side policy ``rasa_addons.policies.ActionFailurePolicy`` relies on
this: a custom action that returns no events at all is taken as failed.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import call_in_thread, shared_service

if TYPE_CHECKING:
    from bot.service import RecommenderService, TurnResult

logger = logging.getLogger(__name__)

PROFILE_SLOT = "profile"
NEEDS_PREFERENCE_SLOT = "needs_preference"
PREFERENCE_SLOT = "preference"
ENGINE_UNAVAILABLE_RESPONSE = "utter_engine_unavailable"
# `rasa shell` prints a custom payload as raw JSON after the text, so the
# shown items go only to channels that can render them.
CHANNELS_WITHOUT_PAYLOADS = {"cmdline"}


class RecommenderAction(Action, ABC):
    """Base of the actions that call one RecommenderService method.

    ``service`` is for tests; by default the process-wide service is created
    on the first call.
    """

    def __init__(self, service: RecommenderService | None = None) -> None:
        self._service = service

    @property
    def service(self) -> RecommenderService:
        if self._service is None:
            self._service = shared_service()
        return self._service

    @abstractmethod
    def call_service(
        self, profile: dict[str, Any] | None, text: str, entities: list[dict[str, Any]], conversation_id: str
    ) -> TurnResult:
        """Run this action's service method (blocking; called in a worker thread)."""

    def extra_events(self) -> list[EventType]:
        """Events to return after the slots every action sets."""
        return []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        text = latest.get("text") or ""
        entities = latest.get("entities") or []
        profile = tracker.get_slot(PROFILE_SLOT)
        if profile is not None and not isinstance(profile, dict):
            logger.warning(
                "Slot '%s' of conversation '%s' contains a %s, expected a dict, so the turn starts from an empty profile",
                PROFILE_SLOT,
                tracker.sender_id,
                type(profile).__name__,
            )
            profile = None

        try:
            result = await call_in_thread(self.call_service, profile, text, entities, tracker.sender_id)
        except Exception:
            # The core turns bad user text into a reply, so this is a failure of
            # the engine itself (missing catalog or index, broken model files).
            logger.exception("Action '%s' failed in conversation '%s'", self.name(), tracker.sender_id)
            dispatcher.utter_message(response=ENGINE_UNAVAILABLE_RESPONSE)
            return [SlotSet(PROFILE_SLOT, profile), SlotSet(NEEDS_PREFERENCE_SLOT, False), *self.extra_events()]

        send_reply(dispatcher, tracker, result)
        return [
            SlotSet(PROFILE_SLOT, result.profile),
            SlotSet(NEEDS_PREFERENCE_SLOT, result.needs_preference),
            *self.extra_events(),
        ]


def send_reply(dispatcher: CollectingDispatcher, tracker: Tracker, result: TurnResult) -> None:
    """Send the core's text, with the shown items as a custom payload where the channel can use it."""
    channel = tracker.get_latest_input_channel()
    if result.items and channel not in CHANNELS_WITHOUT_PAYLOADS:
        dispatcher.utter_message(text=result.text, json_message={"items": result.items})
    else:
        dispatcher.utter_message(text=result.text)


class ActionRecommend(RecommenderAction):
    """Read preferences from the message and recommend movies."""

    def name(self) -> str:
        return "action_recommend"

    def call_service(
        self, profile: dict[str, Any] | None, text: str, entities: list[dict[str, Any]], conversation_id: str
    ) -> TurnResult:
        return self.service.recommend(profile, text, entities, conversation_id)

    def extra_events(self) -> list[EventType]:
        # The user's reply to preference_form was the latest message and has been
        # read now. Clearing the slot makes the form ask again when it restarts.
        return [SlotSet(PREFERENCE_SLOT, None)]


class ActionFeedback(RecommenderAction):
    """Map the user's reaction to the shown movies, store it and refill if needed."""

    def name(self) -> str:
        return "action_feedback"

    def call_service(
        self, profile: dict[str, Any] | None, text: str, entities: list[dict[str, Any]], conversation_id: str
    ) -> TurnResult:
        return self.service.feedback(profile, text, entities, conversation_id)


class ActionExplain(RecommenderAction):
    """Say why the referenced movie, or each shown movie, was chosen."""

    def name(self) -> str:
        return "action_explain"

    def call_service(
        self, profile: dict[str, Any] | None, text: str, entities: list[dict[str, Any]], conversation_id: str
    ) -> TurnResult:
        return self.service.explain(profile, text, entities, conversation_id)


class ActionReset(RecommenderAction):
    """Forget the stated preferences of this conversation."""

    def name(self) -> str:
        return "action_reset"

    def call_service(
        self, profile: dict[str, Any] | None, text: str, entities: list[dict[str, Any]], conversation_id: str
    ) -> TurnResult:
        return self.service.reset(profile, conversation_id)
