"""Custom actions for the Rasa dialogue, served by rasa_sdk.

Start the action server from the project root with
``.venv/bin/python -m rasa_sdk --actions actions --port 5055``.
The actions only translate between Rasa and ``bot.service.RecommenderService``.
"""
