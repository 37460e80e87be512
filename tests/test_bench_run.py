"""End-to-end ReDial benchmark run on the fixture files with the tiny embedder, and its report."""

from pathlib import Path

import pytest

from bot.bench.redial_run import RedialConfig, run_redial, scores_for
from bot.bench.report import redial_markdown, write_block
from bot.bench.variants import FINAL, VARIANTS

BENCH_FIXTURES = Path(__file__).parent / "fixtures" / "bench"


@pytest.fixture(scope="module")
def results(tmp_path_factory, tiny_embedder_path):
    config = RedialConfig(
        conversations_path=BENCH_FIXTURES / "conversations.jsonl",
        movies_path=BENCH_FIXTURES / "movies_with_mentions.csv",
        heldout_path=BENCH_FIXTURES / "heldout_conversations.txt",
        catalog_path=BENCH_FIXTURES / "catalog.jsonl",
        embedder=str(tiny_embedder_path),
        index_dir=tmp_path_factory.mktemp("bench-index"),
    )
    return run_redial(config)


def test_every_system_is_scored(results):
    assert results.systems[:2] == ["random", "popularity (ReDial train mentions)"]
    assert results.systems[-len(VARIANTS):] == [variant.name for variant in VARIANTS]
    assert len(results.scores) == len(results.systems) * 2 * 2


def test_pairs_per_split_and_protocol(results):
    counts = {
        (protocol, split): (scores.turns, scores.pairs)
        for protocol in ("standard", "no_repeat")
        for split in ("held-out", "all")
        for scores in [scores_for(results, protocol, split)["random"]]
    }
    assert counts == {
        ("standard", "held-out"): (2, 2),
        ("standard", "all"): (4, 6),
        ("no_repeat", "held-out"): (1, 1),
        ("no_repeat", "all"): (3, 4),
    }
    assert results.conversations == {"held-out": 1, "all": 2}
    assert (results.catalog_size, results.catalog_matched) == (6, 4)


def test_repeat_baseline_by_hand(results):
    # Standard protocol: Aliens in c1 and Up in c2 were mentioned just before; 2 of 6 pairs at rank 1.
    standard = scores_for(results, "standard", "all")["repeat earlier mentions"]
    assert standard.recall(1) == pytest.approx(2 / 6)
    assert scores_for(results, "no_repeat", "all")["repeat earlier mentions"].recall(50) == 0.0


def test_full_catalog_ranking_finds_every_new_target(results):
    # Six movies, at most two excluded: a system that ranks the whole catalog has recall 1 at k = 50.
    assert scores_for(results, "no_repeat", "all")["random"].recall(50) == pytest.approx(1.0)
    assert scores_for(results, "no_repeat", "all")[VARIANTS[3].name].recall(50) == pytest.approx(1.0)


def test_genre_filter_drops_items_without_genres(results):
    # "anything scary?" asks for horror; with the filter, the targets without that genre are never ranked.
    assert scores_for(results, "no_repeat", "all")[FINAL.name].recall(50) < 1.0


def test_report_block_is_replaced(results, tmp_path):
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nIntro.\n\n<!-- bench:redial:begin -->\nold\n<!-- bench:redial:end -->\n\nOutro.\n")
    write_block(page, "redial", redial_markdown(results, "python -m bot bench redial"))
    text = page.read_text()
    assert "old" not in text
    assert text.startswith("# Benchmarks\n\nIntro.")
    assert text.rstrip().endswith("Outro.")
    assert "| ours 2: + pull of shown items (chat default) |" in text
    assert "UniCRS" in text


def test_report_block_is_appended(tmp_path):
    page = tmp_path / "new.md"
    write_block(page, "movielens", "table\n")
    write_block(page, "movielens", "second table\n")
    text = page.read_text()
    assert text.count("<!-- bench:movielens:begin -->") == 1
    assert "second table" in text and "table\n<!--" not in text.replace("second table", "")


def test_plot_is_written(results, tmp_path):
    from bot.bench.plots import plot_recall_curves

    out = tmp_path / "recall.png"
    plot_recall_curves(results, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_writes_report_and_plot(tmp_path, tiny_embedder_path, capsys):
    from bot.cli import main

    page, plot = tmp_path / "benchmarks.md", tmp_path / "recall.png"
    arguments = [
        "bench", "redial",
        "--data", str(BENCH_FIXTURES / "conversations.jsonl"),
        "--movies", str(BENCH_FIXTURES / "movies_with_mentions.csv"),
        "--heldout", str(BENCH_FIXTURES / "heldout_conversations.txt"),
        "--catalog", str(BENCH_FIXTURES / "catalog.jsonl"),
        "--embedder", str(tiny_embedder_path),
        "--models-dir", str(tmp_path / "models"),
        "--report", str(page),
        "--plot", str(plot),
    ]
    assert main(arguments) == 0
    output = capsys.readouterr().out
    assert "#### No-repeat protocol" in output
    assert "<!-- bench:redial:begin -->" in page.read_text()
    assert plot.is_file()
    assert (tmp_path / "models" / "redial" / "manifest.json").is_file()


def test_cli_reports_missing_conversations(tmp_path, capsys):
    from bot.cli import main

    assert main(["bench", "redial", "--data", str(tmp_path / "none.jsonl"), "--no-report"]) == 2
    assert "none.jsonl not found" in capsys.readouterr().err
