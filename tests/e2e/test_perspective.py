"""The Perspective-compatible API, called the way Coral Talk calls Perspective, against `moderation serve`.

Bodies are built as Coral's ``services/perspective/perspective.ts`` builds them: the key in the
query string, one attribute named by Coral's ``model`` setting, ``fr`` or ``en``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests

from service.auth import create_api_key
from service.keys import Keys
from service.store import CommentStore
from tests.servers import RedisServer, ServiceProcess

INSULT = "Espèce de connard, tu ne comprends rien, ferme ta gueule."
CIVIL = "Merci pour cet article très clair, j'ai appris beaucoup de choses sur la réforme."


@pytest.fixture(scope="module")
def service(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    prefix = f"psp{uuid.uuid4().hex[:8]}"
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_SECRET_KEY": "psp-secret"}
    proc = ServiceProcess(tmp_path_factory.mktemp("perspective"), env, web_workers=1, scoring_workers=0).start()
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    keys = Keys(prefix)
    proc.api_key = create_api_key(client, keys, "coral-talk")  # type: ignore[attr-defined]
    proc.redis, proc.keys = client, keys  # type: ignore[attr-defined]
    yield proc
    client.close()
    proc.stop()


def coral_analyze(text: str, language: str = "fr", model: str = "TOXICITY") -> dict[str, Any]:
    """Coral's formatBody for ``comments:analyze``."""
    return {"comment": {"text": text}, "doNotStore": True, "requestedAttributes": {model: {}},
            "languages": [language]}


def coral_suggest(text: str, comment_id: str, status: str, model: str = "TOXICITY") -> dict[str, Any]:
    """Coral's formatBody for ``comments:suggestscore`` (0 approved, 1 rejected)."""
    return {
        "comment": {"text": text},
        "context": {"entries": [{"text": json.dumps({"url": f"https://journal.example/a?commentID={comment_id}",
                                                     "Coral_comment_id": comment_id})}]},
        "attributeScores": {model: {"summaryScore": {"value": 0 if status == "APPROVED" else 1}}},
        "languages": ["fr"], "communityId": "Coral:https://journal.example", "clientToken": f"comment:{comment_id}",
    }


def call(service: ServiceProcess, operation: str, body: Any, key: str | None = "valid") -> requests.Response:
    """POST as Coral does: endpoint path + /<operation>, the key set as a query parameter."""
    params = {} if key is None else {"key": service.api_key if key == "valid" else key}  # type: ignore[attr-defined]
    return requests.post(f"{service.base}/v1alpha1/{operation}", params=params, timeout=10,
                         data=json.dumps(body), headers={"Content-Type": "application/json"})


def summary(answer: requests.Response, attribute: str = "TOXICITY") -> float:
    assert answer.status_code == 200, answer.text
    score = answer.json()["attributeScores"][attribute]["summaryScore"]
    assert score["type"] == "PROBABILITY"
    return float(score["value"])


def google_error(answer: requests.Response, code: int) -> dict[str, Any]:
    """Perspective's (Google's) error envelope with a message a human can act on."""
    assert answer.status_code == code, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message"] and error["status"]
    return error  # type: ignore[no-any-return]


def test_a_french_insult_scores_high_and_a_civil_comment_low(service: ServiceProcess) -> None:
    insult = call(service, "comments:analyze", coral_analyze(INSULT))
    assert summary(insult) > 0.7
    assert summary(call(service, "comments:analyze", coral_analyze(CIVIL))) < 0.3
    body = insult.json()
    assert body["languages"] == ["fr"] and body["detectedLanguages"] == ["fr"]
    span = body["attributeScores"]["TOXICITY"]["spanScores"][0]
    assert (span["begin"], span["end"]) == (0, len(INSULT)) and span["score"]["type"] == "PROBABILITY"


def test_english_and_the_spam_attribute(service: ServiceProcess) -> None:
    assert summary(call(service, "comments:analyze", coral_analyze("You are a pathetic idiot", "en"))) > 0.5
    promo = coral_analyze("Subscribe to my channel!!! free gift cards http://bit.ly/x3 check it out", "en", "SPAM")
    assert summary(call(service, "comments:analyze", promo), "SPAM") > 0.5


def test_span_annotations_point_at_the_insult(service: ServiceProcess) -> None:
    text = "Bon article sur la réforme. Mais toi, espèce de connard, tais-toi."
    answer = call(service, "comments:analyze", {**coral_analyze(text), "spanAnnotations": True})
    spans = answer.json()["attributeScores"]["TOXICITY"]["spanScores"]
    assert any("connard" in text[s["begin"]:s["end"]].lower() and s["score"]["value"] > 0.5 for s in spans)


def test_analyze_with_do_not_store_stores_nothing(service: ServiceProcess) -> None:
    before = service.redis.dbsize()  # type: ignore[attr-defined]
    call(service, "comments:analyze", {**coral_analyze(CIVIL), "doNotStore": False})  # the site has not opted in
    assert service.redis.dbsize() == before  # type: ignore[attr-defined]


def test_suggestscore_is_recorded_as_moderator_feedback(service: ServiceProcess) -> None:
    for comment_id, status in (("c-approved", "APPROVED"), ("c-rejected", "DELETED")):
        answer = call(service, "comments:suggestscore", coral_suggest(f"texte {comment_id}", comment_id, status))
        assert answer.status_code == 200 and answer.json()["clientToken"] == f"comment:{comment_id}"
    store = CommentStore(service.redis, service.keys)  # type: ignore[attr-defined]
    entries = [label for label in store.labels.export() if label["source"] == "perspective"]
    labels = {e["content"]: e["toxic"] for e in entries}
    assert labels == {"texte c-approved": 0, "texte c-rejected": 1}
    assert all(e["by"] == "coral-talk" for e in entries)


@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_a_missing_or_wrong_key_gets_403(service: ServiceProcess, key: str | None) -> None:
    error = google_error(call(service, "comments:analyze", coral_analyze(CIVIL), key=key), 403)
    assert error["status"] == "PERMISSION_DENIED"


def test_the_key_is_never_logged(service: ServiceProcess) -> None:
    call(service, "comments:analyze", coral_analyze(CIVIL))
    call(service, "comments:analyze", coral_analyze(CIVIL), key="wrong-key-secret")
    log = service.log()
    assert service.api_key not in log and "wrong-key-secret" not in log  # type: ignore[attr-defined]
    assert "/v1alpha1/comments:analyze" in log  # the request itself is logged


def test_unknown_and_unserved_attributes(service: ServiceProcess) -> None:
    unknown = google_error(call(service, "comments:analyze", coral_analyze(CIVIL, model="NOPE")), 400)
    assert "NOPE" in unknown["message"] and unknown["status"] == "INVALID_ARGUMENT"
    unserved = google_error(call(service, "comments:analyze", coral_analyze(CIVIL, model="SEVERE_TOXICITY")), 400)
    assert "SEVERE_TOXICITY" in unserved["message"]
    body = coral_analyze(CIVIL)
    body["requestedAttributes"]["SEVERE_TOXICITY"] = {}
    dropped = call(service, "comments:analyze", {**body, "dropUnsupportedAttributes": True})
    assert set(dropped.json()["attributeScores"]) == {"TOXICITY"}


def test_sub_attributes_are_served_and_never_exceed_toxicity(service: ServiceProcess) -> None:
    body = coral_analyze("Je sais où tu habites, je vais te tuer, sale con.")
    body["requestedAttributes"] = {name: {} for name in ("TOXICITY", "THREAT", "INSULT", "PROFANITY",
                                                         "IDENTITY_ATTACK")}
    scores = {name: a["summaryScore"]["value"] for name, a in call(service, "comments:analyze", body)
              .json()["attributeScores"].items()}
    assert set(scores) == set(body["requestedAttributes"])
    assert scores["THREAT"] > 0.5 and all(scores[n] <= scores["TOXICITY"] for n in scores)
    civil = coral_analyze(CIVIL, model="THREAT")
    assert summary(call(service, "comments:analyze", civil), "THREAT") < 0.1


def test_unsupported_language(service: ServiceProcess) -> None:
    error = google_error(call(service, "comments:analyze", coral_analyze(CIVIL, language="de")), 400)
    assert "de" in error["message"] and error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"


@pytest.mark.parametrize(("text", "error_type"), [("", "COMMENT_EMPTY"), ("   ", "COMMENT_EMPTY"),
                                                  ("é" * 10_241, "COMMENT_TOO_LONG"),
                                                  ("a" * 100_000, "COMMENT_TOO_LONG")])
def test_empty_and_oversized_text(service: ServiceProcess, text: str, error_type: str) -> None:
    error = google_error(call(service, "comments:analyze", coral_analyze(text)), 400)
    assert error["details"][0]["errorType"] == error_type


def test_a_body_that_is_not_perspective_shaped(service: ServiceProcess) -> None:
    assert "comment.text" in google_error(call(service, "comments:analyze", {"text": "hi"}), 400)["message"]
    assert google_error(call(service, "comments:analyze", ["not", "an", "object"]), 400)
    no_attribute = {"comment": {"text": CIVIL}, "requestedAttributes": {}}
    assert "requestedAttributes" in google_error(call(service, "comments:analyze", no_attribute), 400)["message"]
    bad_suggest = coral_suggest(CIVIL, "x", "APPROVED")
    bad_suggest["attributeScores"]["TOXICITY"]["summaryScore"]["value"] = "yes"
    assert "value" in google_error(call(service, "comments:suggestscore", bad_suggest), 400)["message"]
