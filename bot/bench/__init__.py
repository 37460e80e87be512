"""Recommendation benchmarks: ReDial (conversational) and MovieLens (cold start).

Run them with ``python -m bot bench redial`` and ``python -m bot bench movielens``.
"""
