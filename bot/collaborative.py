"""Item-item collaborative similarity from user interactions (ratings, likes).

Items are catalog rows and each column of the interaction matrix is one user.
The similarity of two items is the cosine of their rating vectors over users,
as in item-based collaborative filtering. Scores are computed on demand for
the few items a user named, so the full item-item matrix is never built.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sparse

logger = logging.getLogger(__name__)


class ItemSimilarity:
    """Cosine similarity between catalog rows of a sparse (items x users) interaction matrix."""

    def __init__(self, interactions: sparse.spmatrix) -> None:
        self.matrix = sparse.csr_matrix(interactions, dtype=np.float64)
        self.squared_norms = np.asarray(self.matrix.multiply(self.matrix).sum(axis=1)).ravel()
        logger.info(
            "Item similarity over %d items and %d users (%d interactions)",
            self.matrix.shape[0], self.matrix.shape[1], self.matrix.nnz,
        )

    @property
    def item_count(self) -> int:
        return self.matrix.shape[0]

    def _dots_and_norms(self, rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Return dot products of every item with ``rows`` (items x len(rows)) and every item's norm."""
        dots = np.asarray((self.matrix @ self.matrix[rows].T).todense())
        return dots, np.sqrt(self.squared_norms)

    def scores(self, rows: list[int]) -> np.ndarray:
        """Return, for every item, its mean cosine similarity to the items at ``rows``."""
        if not rows:
            return np.zeros(self.item_count)
        dots, norms = self._dots_and_norms(rows)
        denominator = np.outer(norms, norms[rows])
        similarity = np.divide(dots, denominator, out=np.zeros_like(dots), where=denominator > 0)
        return similarity.mean(axis=1)
