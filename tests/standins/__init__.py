"""Local HTTP stand-ins for the Slack Web API and the Telegram Bot API.

Each one listens on 127.0.0.1, replies in the real service's wire format,
checks the limits the real service enforces, and records every call so that
tests can assert what the bot sent.
"""
