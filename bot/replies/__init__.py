"""Reply writers: turn ranked items and the dialogue state into a message."""

from bot.replies.base import FeedbackAck, RecommendationRequest, ReplyWriter, ShownItem

__all__ = ["FeedbackAck", "RecommendationRequest", "ReplyWriter", "ShownItem"]
