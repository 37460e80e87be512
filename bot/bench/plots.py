"""Recall@k curves of the ReDial benchmark, one panel per protocol."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from bot.bench.redial_run import MAX_K, RedialResults, scores_for
from bot.bench.redial_turns import PROTOCOLS

logger = logging.getLogger(__name__)

PANEL_TITLES = {"standard": "standard protocol", "no_repeat": "no-repeat protocol"}


def plot_recall_curves(results: RedialResults, out_path: Path, split: str = "held-out") -> None:
    """Draw Recall@k for k = 1..50 of every system on ``split`` and save the figure as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(PROTOCOLS), figsize=(12, 5.6), sharey=True)
    ks = np.arange(1, MAX_K + 1)
    for axis, protocol in zip(axes, PROTOCOLS):
        for name, scores in scores_for(results, protocol, split).items():
            style = "-" if name.startswith("ours") else "--"
            axis.plot(ks, scores.curve, style, label=name, linewidth=1.6)
        pairs = scores_for(results, protocol, split)[results.systems[0]].pairs
        axis.set_title(f"ReDial, {PANEL_TITLES[protocol]}, {split} split ({pairs:,} pairs)", fontsize=10)
        axis.set_xlabel("k")
        axis.grid(alpha=0.3)
    axes[0].set_ylabel("Recall@k")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, fontsize=8, loc="lower center", ncol=3, frameon=False)
    # Leave room under the panels for the legend.
    figure.tight_layout(rect=(0, 0.14, 1, 1))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out_path, dpi=110)
    plt.close(figure)
    logger.info("Wrote the Recall@k plot to %s", out_path)
