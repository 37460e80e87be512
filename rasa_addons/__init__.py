"""Components loaded by Rasa Open Source 3.6 itself (the .venv-rasa environment).

Nothing here imports the recommender core or rasa_sdk.
"""
