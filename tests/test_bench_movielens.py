"""MovieLens cold-start benchmark on hand-made ratings; the real data is never needed."""

import numpy as np
import pandas as pd
import pytest

from bot.bench.movielens_data import MovieLensDataError, load_movielens, match_titles, title_keys
from bot.bench.movielens_run import RatingMatrix, UserCase, build_cases, item_knn_top, popularity_top
from bot.cli import main


def test_cli_skips_without_data(capsys):
    assert main(["bench", "movielens", "--no-report"]) == 0
    assert "skipped" in capsys.readouterr().out


def test_cli_reports_missing_folder(tmp_path, capsys):
    assert main(["bench", "movielens", "--data", str(tmp_path), "--no-report"]) == 2
    assert "ratings.csv not found" in capsys.readouterr().err


def test_missing_column_is_named(tmp_path):
    (tmp_path / "ratings.csv").write_text("userId,movieId,score\n1,1,4.0\n")
    (tmp_path / "movies.csv").write_text("movieId,title,genres\n1,Heat (1995),Action\n")
    with pytest.raises(MovieLensDataError, match="rating"):
        load_movielens(tmp_path)


@pytest.mark.parametrize(
    ("title", "keys", "year"),
    [
        ("Usual Suspects, The (1995)", ["usual suspects"], 1995),
        ("Twelve Monkeys (a.k.a. 12 Monkeys) (1995)", ["twelve monkeys", "12 monkeys"], 1995),
        (
            "City of Lost Children, The (Cité des enfants perdus, La) (1995)",
            ["city of lost children", "la cite des enfants perdus"],
            1995,
        ),
        ("Babylon 5", ["babylon 5"], None),
    ],
)
def test_title_keys(title, keys, year):
    assert title_keys(title) == (keys, year)


def test_match_titles_uses_year_and_skips_ambiguous():
    titles = {1: "Heat (1995)", 2: "Halloween (1978)", 3: "Alien (1980)", 4: "Up (2009)"}
    targets = [
        ("heat", "Heat", 1995),
        ("halloween-a", "Halloween", 1978),
        ("halloween-b", "Halloween", 1978),
        ("alien", "Alien", 1979),
        ("up", "Up", 2012),
    ]
    # Heat matches exactly, Alien one year off; Halloween is ambiguous and Up too far off.
    assert match_titles(titles, targets) == {1: "heat", 3: "alien"}


@pytest.fixture()
def ratings():
    # Users 1-3 rate movies 10..14; positions among matched items: movie 10 -> 0, ..., 14 -> 4.
    rows = [
        (1, 10, 5.0), (1, 11, 4.0), (1, 12, 4.5), (1, 13, 4.0), (1, 14, 2.0),
        (2, 10, 4.0), (2, 11, 5.0), (2, 13, 1.0),
        (3, 10, 4.0), (3, 12, 3.0), (3, 13, 4.0), (3, 14, 4.0),
    ]
    return pd.DataFrame(rows, columns=["userId", "movieId", "rating"])


def matched_position():
    return {movie: movie - 10 for movie in range(10, 15)}


def test_build_cases_hides_the_rest(ratings):
    cases, users = build_cases(ratings, matched_position(), stated=3, threshold=4.0, seed=0)
    assert users == 3
    # User 1 likes 10, 11, 12, 13; user 3 likes 10, 13, 14; user 2 likes only two movies.
    assert [case.user_id for case in cases] == [1]
    case = cases[0]
    assert len(case.stated) == 3
    assert case.relevant == frozenset({0, 1, 2, 3}) - set(case.stated)


def test_build_cases_is_seeded(ratings):
    first, _ = build_cases(ratings, matched_position(), stated=2, threshold=4.0, seed=5)
    second, _ = build_cases(ratings, matched_position(), stated=2, threshold=4.0, seed=5)
    assert first == second
    assert [case.user_id for case in first] == [1, 3]


def test_popularity_leaves_out_the_user(ratings):
    matrix = RatingMatrix(ratings, matched_position(), 5)
    case = UserCase(user_id=1, stated=(0,), relevant=frozenset({3}))
    # Counts without user 1: movie 11 -> 1, 12 -> 1, 13 -> 2, 14 -> 1; ties keep the lower position.
    assert popularity_top(matrix, case, 4) == [3, 1, 2, 4]


def test_item_knn_leaves_out_the_user(ratings):
    matrix = RatingMatrix(ratings, matched_position(), 5)
    case = UserCase(user_id=1, stated=(0,), relevant=frozenset({1}))
    top = item_knn_top(matrix, case, 4)
    # Without user 1, movie 10 is rated 4 by users 2 and 3; cosine with each other movie by hand.
    column = {2: 0, 3: 1}
    others = {11: {2: 5.0}, 12: {3: 3.0}, 13: {2: 1.0, 3: 4.0}, 14: {3: 4.0}}
    stated = np.array([4.0, 4.0])
    expected = {}
    for movie, by_user in others.items():
        vector = np.zeros(2)
        for user, rating in by_user.items():
            vector[column[user]] = rating
        expected[movie - 10] = float(vector @ stated / (np.linalg.norm(vector) * np.linalg.norm(stated)))
    assert top == sorted(expected, key=lambda position: (-expected[position], position))
