"""Property tests: no input, however hostile, makes the submission schema or the policy fail."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import Scores
from service.keys import Status
from service.policy import PolicySettings, decide
from service.wordlist import WordLists

FIELDS = ["post_id", "author", "email", "url", "content", "parent_id", "extra"]
HOSTILE = st.sampled_from(["\u202e", "\u200b", "\u0301", "😀", "\x00", "\r\nX-Injected: 1", "A" * 300,
                           "ﷺ", "\ufeff", "<script>", "' OR 1=1 --", "%00", "../../etc/passwd"])
TEXT = st.one_of(st.text(), HOSTILE, st.lists(HOSTILE).map("".join))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                    max_leaves=20)
SUBMISSION = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=7)
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(body=SUBMISSION)
def test_any_json_submission_gets_a_clear_answer(client: FlaskClient, body: dict[str, Any]) -> None:
    response = client.post("/api/v1/comments", json=body)
    assert response.status_code in (202, 409, 413, 422, 429)
    if response.status_code != 202:
        payload = response.get_json()
        assert set(payload) == {"code", "message", "errors"}


@SLOW
@given(raw=st.one_of(st.binary(max_size=300), st.just(b"[" * 100_000), st.just(b'{"a":"\\ud800"}'),
                     st.just(b'{"post_id": "1", "post_id": "2"}'), st.just(b'{"content": 1e999}')))
def test_any_bytes_get_4xx_never_500(client: FlaskClient, raw: bytes) -> None:
    response = client.post("/api/v1/comments", data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.is_json


@SLOW
@given(form=st.dictionaries(st.sampled_from(["comment_post_ID", "author", "email", "url", "comment",
                                             "comment_parent", "submit"]), TEXT, max_size=7))
def test_any_form_submission_gets_a_clear_answer(client: FlaskClient, form: dict[str, str]) -> None:
    response = client.post("/api/v1/comments", data=urlencode(form),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (202, 409, 413, 422, 429)


RULES = st.sampled_from(["honeypot", "time_trap", "too_many_links", "hold_word", "block_word", "spam_wave",
                         "blocked_author", "held_author", "unknown", ""])
SIGNAL = st.fixed_dictionaries({"rule": RULES, "detail": st.text(), "source": st.just("signals")})
SCORES = st.none() | st.builds(Scores, st.floats(0, 1), st.floats(0, 1), st.sampled_from(["fr", "en", "other"]),
                               st.just("t"), st.just([]))


@settings(max_examples=300, deadline=None)
@given(scores=SCORES, signals=st.lists(SIGNAL, max_size=6), trusted=st.integers(0, 5),
       auto=st.booleans(), shadow=st.frozensets(RULES))
def test_policy_always_decides(scores: Scores | None, signals: list[dict[str, Any]], trusted: int, auto: bool,
                               shadow: frozenset[str]) -> None:
    verdict = decide(scores, signals, PolicySettings(auto_approve=auto, shadow=shadow), trusted)
    assert verdict.status in (Status.PENDING, Status.SPAM, Status.APPROVED)
    assert 0.0 <= verdict.risk <= 1.0
    if scores is None:
        assert verdict.status != Status.APPROVED  # never approve what the model could not score
    json.dumps(verdict.reasons)


LISTS = WordLists.from_files()


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_word_matches_always_point_into_the_text(text: str) -> None:
    for match in LISTS.find(text):
        assert 0 <= match.start < match.end <= len(text)
        assert text[match.start:match.end] == match.text
