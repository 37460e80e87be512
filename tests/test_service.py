"""The recommender core's turn handlers over the tiny catalog (no dialogue engine)."""

from bot.feedback import FeedbackStore
from bot.profile import SessionProfile
from bot.service import RecommenderService


def catalog_ids(service: RecommenderService) -> set[str]:
    return {item.id for item in service.engine.catalog}


def test_recommendation_turn_returns_catalog_items(tiny_service):
    result = tiny_service.recommend(None, "something like Alien but less scary, maybe from the 80s", [], "c1")
    assert len(result.items) == 3
    assert {item["id"] for item in result.items} <= catalog_ids(tiny_service)
    for item in result.items:
        catalog_item = tiny_service.engine.catalog.get(item["id"])
        assert 1980 <= catalog_item.year <= 1989
        assert "Horror" not in catalog_item.genres
        assert catalog_item.title in result.text
        assert item["reasons"]
    assert "wiki:Alien_(film)" not in {item["id"] for item in result.items}
    assert result.profile["references"] == ["wiki:Alien_(film)"]


def test_rejected_items_never_return(tiny_service):
    first = tiny_service.recommend(None, "science fiction please", [], "c2")
    rejected = [item["id"] for item in first.items[:2]]
    second = tiny_service.feedback(first.profile, "I've seen the first one, and the second sounds boring", [], "c2")
    assert [signal["signal"] for signal in second.signals] == ["seen", "dislike"]
    assert len(second.items) == 3
    assert not set(rejected) & {item["id"] for item in second.items}
    profile = second.profile
    for _ in range(3):
        more = tiny_service.recommend(profile, "more science fiction", [], "c2")
        assert not set(rejected) & {item["id"] for item in more.items}
        profile = more.profile


def test_like_is_stored(tiny_service, tiny_settings):
    first = tiny_service.recommend(None, "a comedy", [], "c3")
    liked = first.items[2]["id"]
    result = tiny_service.feedback(first.profile, "the third one looks great, thanks", [], "c3")
    assert result.items == []
    assert liked in result.profile["liked"]
    events = FeedbackStore(tiny_settings.feedback_url).events("c3")
    assert [(event.item_id, event.signal, event.position) for event in events] == [(liked, "like", 3)]
    assert events[0].message == "the third one looks great, thanks"


def test_liked_item_pulls_the_query(tiny_service):
    ranker = tiny_service.engine.ranker
    query = ranker.query_vector(SessionProfile(liked=["wiki:Aliens_(film)"]))
    assert float(query @ ranker.item_vector("wiki:Aliens_(film)")) > 0.99


def test_disliked_item_pushes_the_query(tiny_service):
    ranker = tiny_service.engine.ranker
    base = SessionProfile(descriptions=["space adventure"])
    pushed = SessionProfile(descriptions=["space adventure"], disliked=["wiki:Star_Wars_(film)"])
    star_wars = ranker.item_vector("wiki:Star_Wars_(film)")
    assert float(ranker.query_vector(pushed) @ star_wars) < float(ranker.query_vector(base) @ star_wars)


def test_feedback_before_anything_shown(tiny_service):
    result = tiny_service.feedback(None, "the second one looks great", [], "c4")
    assert "haven't recommended anything" in result.text
    assert result.signals == []


def test_fifth_of_three(tiny_service, tiny_settings):
    first = tiny_service.recommend(None, "a comedy", [], "c5")
    result = tiny_service.feedback(first.profile, "the fifth one sounds good", [], "c5")
    assert "only showed 3" in result.text
    assert "fifth" in result.text
    assert FeedbackStore(tiny_settings.feedback_url).events("c5") == []


def test_bad_inputs_get_polite_replies(tiny_service):
    cases = {
        "": "didn't get any text",
        "   ": "didn't get any text",
        "🎬🍿": "emoji",
        "quiero ver una película de terror por favor": "English",
    }
    for message, expected in cases.items():
        result = tiny_service.recommend(None, message, [], "c6")
        assert expected in result.text, message
        assert result.items == []


def test_very_long_message(tiny_service):
    result = tiny_service.recommend(None, "a funny adventure " * 1200, [], "c7")
    assert "first 2,000 characters" in result.text
    assert len(result.items) == 3


def test_unknown_title(tiny_service):
    only = tiny_service.recommend(None, "something like Zzyzx Quuxfilm", [], "c8")
    assert "couldn't find" in only.text
    assert "Zzyzx Quuxfilm" in only.text
    assert only.needs_preference
    mixed = tiny_service.recommend(None, "a comedy like Zzyzx Quuxfilm", [], "c8")
    assert "couldn't find" in mixed.text
    assert len(mixed.items) == 3


def test_plain_request_needs_preference(tiny_service):
    result = tiny_service.recommend(None, "recommend me a movie", [], "c9")
    assert result.needs_preference
    assert result.items == []


def test_why_names_reasons(tiny_service):
    first = tiny_service.recommend(None, "something like Alien", [], "c10")
    why = tiny_service.explain(first.profile, "why the second one?", [], "c10")
    second_title = first.items[1]["title"]
    assert second_title in why.text
    assert "similar to Alien (1979)" in why.text


def test_reset_keeps_rejections(tiny_service):
    first = tiny_service.recommend(None, "a comedy", [], "c11")
    after = tiny_service.feedback(first.profile, "the first one sounds boring", [], "c11")
    reset = tiny_service.reset(after.profile, "c11")
    assert reset.profile["genres"] == []
    assert first.items[0]["id"] in reset.profile["disliked"]


def test_button_payload_entities(tiny_service, tiny_settings):
    first = tiny_service.recommend(None, "a comedy", [], "c12")
    target = first.items[1]["id"]
    entities = [{"entity": "item_id", "value": target}, {"entity": "feedback_signal", "value": "dislike"}]
    result = tiny_service.feedback(first.profile, '/give_feedback{"item_id": "x"}', entities, "c12")
    assert target in result.profile["disliked"]
    assert target not in {item["id"] for item in result.items}
    events = FeedbackStore(tiny_settings.feedback_url).events("c12")
    assert [(event.item_id, event.signal, event.position) for event in events] == [(target, "dislike", 2)]


def test_ordinal_before_anything_shown(tiny_service):
    result = tiny_service.recommend(None, "I like the first one", [], "c13")
    assert "haven't recommended anything" in result.text
    assert result.items == []


def test_exclusion_entity_does_not_override_text(tiny_service):
    entities = [{"entity": "exclusion", "value": "scary"}]
    result = tiny_service.recommend(None, "I want a scary movie", entities, "c14")
    assert "Horror" in result.profile["genres"]
    assert "Horror" not in result.profile["excluded_genres"]


def test_no_horror_leaves_out_slashers(tiny_service):
    result = tiny_service.recommend(None, "something with a masked killer, but no horror", [], "c15")
    for item in result.items:
        genres = tiny_service.engine.catalog.get(item["id"]).genres
        assert "Horror" not in genres
        assert "Slasher" not in genres
