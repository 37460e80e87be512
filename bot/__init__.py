"""Recommender core: catalog, embeddings, vector index, ranking, session profile,
feedback store and reply writers. This package never imports Rasa."""

__version__ = "0.1.0"
