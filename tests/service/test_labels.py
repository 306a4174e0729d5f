"""Every decision is a labelled example: what it teaches, replaced by a later decision, counted, exported and
imported as JSON Lines, and erased with the comment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from service.cli import main
from service.labels import Label
from service.store import CommentStore
from service.worker import WorkerSettings
from tests.conftest import comment_payload, scoring_worker
from tests.servers import RedisServer


def scored(client: FlaskClient, app: Flask, **overrides: object) -> str:
    response = client.post("/api/v1/comments", json=comment_payload(**overrides))
    assert response.status_code == 202, response.get_json()
    worker = scoring_worker(app, WorkerSettings(block_ms=10), "t")
    worker.ensure_group()
    worker.step()
    return str(response.get_json()["id"])


def decide(client: FlaskClient, auth: dict[str, str], comment_id: str, **body: object) -> None:
    response = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json=body, headers=auth)
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize(("body", "spam", "toxic"), [
    ({"action": "approve"}, 0, 0),
    ({"action": "spam"}, 1, None),
    ({"action": "reject", "reason": "toxic"}, 0, 1),
    ({"action": "reject", "reason": "off_topic"}, None, None),  # off topic is neither spam nor toxic
    ({"action": "reject"}, None, None),
])
def test_a_decision_records_what_it_teaches_with_the_inputs_and_scores_of_the_time(
        client: FlaskClient, app: Flask, auth: dict[str, str], store: CommentStore, body: dict[str, str],
        spam: int | None, toxic: int | None) -> None:
    comment_id = scored(client, app, content="Un avis tranché sur la réforme.", url="https://camille.example")
    decide(client, auth, comment_id, **body)
    [label] = store.labels.get([comment_id])
    assert (label["spam"], label["toxic"], label["action"], label["reason"]) == (spam, toxic, body["action"],
                                                                                body.get("reason"))
    assert (label["source"], label["by"], label["content"], label["url"]) == (
        "moderation", "alice", "Un avis tranché sur la réforme.", "https://camille.example")
    comment = store.get(comment_id)
    assert comment is not None
    assert label["scores"] == comment["scores"] and label["model_version"] == comment["model_version"]
    assert "email" not in label and "ip" not in label


def test_a_later_decision_replaces_the_label_and_its_count(client: FlaskClient, app: Flask, auth: dict[str, str],
                                                            store: CommentStore) -> None:
    comment_id = scored(client, app)
    decide(client, auth, comment_id, action="approve")
    assert store.labels.counts()[("ham", "moderation")] == 1
    decide(client, auth, comment_id, action="spam", **{"from": "approved"})
    [label] = store.labels.get([comment_id])
    assert label["spam"] == 1
    counts = store.labels.counts()
    assert (counts[("ham", "moderation")], counts[("spam", "moderation")], counts[("non_toxic", "moderation")]) == (
        0, 1, 0)
    assert len(list(store.labels.export())) == 1


def test_labels_are_on_metrics_per_label_and_source(client: FlaskClient, app: Flask, auth: dict[str, str]) -> None:
    decide(client, auth, scored(client, app), action="reject", reason="toxic")
    text = client.get("/metrics", headers=auth).get_data(as_text=True)
    assert 'moderation_labels{label="toxic",source="moderation"} 1.0' in text
    assert 'moderation_labels{label="ham",source="moderation"} 1.0' in text


def test_erasing_an_email_erases_its_labels(client: FlaskClient, app: Flask, auth: dict[str, str],
                                            store: CommentStore) -> None:
    comment_id = scored(client, app, email="efface@example.fr")
    decide(client, auth, comment_id, action="approve")
    exported = client.post("/api/v1/moderation/privacy/export", json={"email": "efface@example.fr"}, headers=auth)
    assert [label["comment_id"] for label in exported.get_json()["moderation_labels"]] == [comment_id]
    erased = client.post("/api/v1/moderation/privacy/erase", json={"email": "efface@example.fr"}, headers=auth)
    assert erased.status_code == 200
    assert store.labels.get([comment_id]) == [] and list(store.labels.export()) == []
    assert sum(store.labels.counts().values()) == 0


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


@pytest.fixture
def env(redis_server: RedisServer, prefix: str) -> dict[str, str]:
    return {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_SECRET_KEY": "k"}


def test_export_then_import_elsewhere_gives_the_same_labels(client: FlaskClient, app: Flask, auth: dict[str, str],
                                                            env: dict[str, str], tmp_path: Path) -> None:
    for body in ({"action": "approve"}, {"action": "spam"}, {"action": "reject", "reason": "toxic"}):
        decide(client, auth, scored(client, app, content=f"Texte {body}"), **body)
    code, exported = run(env, "labels", "export")
    assert code == 0 and len(exported.splitlines()) == 3
    path = tmp_path / "labels.jsonl"
    path.write_text(exported)
    elsewhere = {**env, "MODERATION_REDIS_PREFIX": env["MODERATION_REDIS_PREFIX"] + "-copy"}
    code, output = run(elsewhere, "labels", "import", str(path))
    assert code == 0 and output.strip() == "imported 3 label(s)"
    assert run(elsewhere, "labels", "export")[1] == exported


def test_a_labels_file_with_bad_lines_names_them_and_imports_nothing(env: dict[str, str], tmp_path: Path,
                                                                     store: CommentStore) -> None:
    good = {"comment_id": "a1", "action": "approve", "content": "Merci."}
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", json.dumps({**good, "action": "love"}),
                               json.dumps({"comment_id": "a2", "action": "spam"})]) + "\n")
    code, output = run(env, "labels", "import", str(path))
    assert code == 1
    assert "line 2: not JSON" in output and "line 3: action: Must be one of" in output
    assert "line 4: content: Missing data for required field." in output
    assert list(store.labels.export()) == []


def test_agreement_counts_per_language_the_decisions_the_scores_of_the_time_foresaw(store: CommentStore) -> None:
    def label(comment_id: str, action: str, language: str, scores: dict[str, float] | None, at_ms: int = 0,
              reason: str | None = None) -> Label:
        inputs = {"content": "x", "language": language, **({"scores": scores} if scores else {})}
        return Label.of(comment_id, action, "moderation", "alice", reason, inputs, at_ms)

    store.labels.record([
        label("a", "spam", "fr", {"spam": 0.9, "toxicity": 0.1}),  # foreseen
        label("b", "approve", "fr", {"spam": 0.8, "toxicity": 0.1}),  # the model said spam: missed
        label("c", "approve", "en", {"spam": 0.1, "toxicity": 0.2}),  # foreseen
        label("d", "reject", "fr", {"spam": 0.1, "toxicity": 0.1}, reason="off_topic"),  # teaches nothing
        label("e", "approve", "fr", None),  # scored by no model (a compat client's label)
        label("f", "spam", "fr", {"spam": 0.1, "toxicity": 0.0}, at_ms=1_000),  # long ago
    ])
    assert store.labels.agreement(since_ms=10_000) == {"fr": {"agreed": 1, "total": 2},
                                                       "en": {"agreed": 1, "total": 1}}
