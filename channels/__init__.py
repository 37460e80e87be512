"""Rasa input and output channels for the web chat, Slack and Telegram.

These classes run inside the Rasa server (``.venv-rasa``, Python 3.10) and are
named by their module path in a credentials file, for example
``channels.slack.SlackEventsInput``. They subclass Rasa's own connectors and
turn the recommendation payload that the custom actions send
(``{"items": [...]}``) into native buttons. A button press sends the same
``/give_feedback{...}`` message on every channel; see :mod:`channels.items`.
"""
