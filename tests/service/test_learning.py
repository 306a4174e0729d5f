"""`moderation model retrain`: a candidate from the moderators' labels, promoted only through the gate; the
registry keeps versions for every host, and promote / rollback switch what every process scores with."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

import classifier
from classifier import data as classifier_data
from service.cli import main
from service.registry import SHIPPED, Registry
from service.store import CommentStore
from service.worker import WorkerSettings
from tests.conftest import comment_payload, scoring_worker
from tests.servers import RedisServer

SCAM = ["Le livret Orbix rapporte 9 % par mois, écrivez au conseiller Orbix sur Telegram.",
        "Grâce au livret Orbix j'ai doublé mon épargne, contactez Orbix gestion.",
        "Orbix placement garanti, rendement mensuel, demandez le conseiller Orbix.",
        "Je recommande le programme Orbix, mon conseiller Orbix m'a fait gagner gros.",
        "Placement Orbix sans risque, contactez vite l'équipe Orbix."]
HAM = ["Merci pour cet article très clair sur le budget.", "Je ne suis pas d'accord avec l'éditorialiste.",
       "Les maires auraient dû être consultés avant ce vote.", "Bonne analyse, mais il manque les chiffres de 2025.",
       "Quelle est la source de ce graphique ?", "Article intéressant, continuez comme ça.",
       "Le vote s'est joué à trois voix, c'est très serré.", "J'habite la commune et je confirme ce qui est écrit."]
NEW_SCAM = "Mon conseiller Orbix m'a ouvert un livret incroyable, demandez-lui."


def stream(n: int, seed: int = 7, shuffle: bool = False, only_ham: bool = False) -> list[dict[str, object]]:
    """A site's decisions in time order: a third of them a new French scam the shipped model lets through."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        spam = i % 3 == 0 and not only_ham
        text = rng.choice(SCAM if spam else HAM) + f" ({i})"
        at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=17 * i)
        rows.append({"comment_id": f"c{i:04d}", "content": text, "site": "journal",
                     "action": "spam" if spam else "approve", "at": at.isoformat()})
    if shuffle:
        actions = [r["action"] for r in rows]
        rng.shuffle(actions)
        for row, action in zip(rows, actions, strict=True):
            row["action"] = action
    return rows


@pytest.fixture
def env(redis_server: RedisServer, prefix: str) -> dict[str, str]:
    return {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_SECRET_KEY": "k"}


def run(env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output.strip().splitlines()


def labelled(env: dict[str, str], tmp_path: Path, rows: list[dict[str, object]]) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    assert run(env, "labels", "import", str(path))[0] == 0


def test_too_few_labels_says_so_and_trains_nothing(env: dict[str, str], tmp_path: Path, store: CommentStore) -> None:
    labelled(env, tmp_path, stream(20))
    code, lines = run(env, "model", "retrain")
    assert code == 4 and lines[-1].startswith("20 usable label(s); at least 50 are needed")
    assert Registry(store.redis, store.keys).versions() == []


def test_a_new_scam_the_moderators_mark_is_learned_and_promoted(env: dict[str, str], tmp_path: Path,
                                                                 store: CommentStore, model: classifier.Model) -> None:
    labelled(env, tmp_path, stream(150))
    code, lines = run(env, "model", "retrain", "--site", "journal")
    assert code == 0, lines
    version = lines[-1].removeprefix("promoted ")
    assert version.startswith(f"{model.version}+journal.")
    steps = [line.split("] ", 1)[1].split(" ")[0] for line in lines if line.startswith("[")]
    assert steps == ["encoding", "fitting", "comparing", "fitting"]  # each long step says so as it starts
    registry = Registry(store.redis, store.keys)
    assert registry.active() == version
    meta = registry.get(version)
    assert meta["labels"] == 150 and meta["label_counts"]["spam"] == 50 and meta["weight"]["spam"] > 0
    assert "| held-back labels | spam |" in meta["table"] and "| hatecheck_fr | toxicity |" in meta["table"]
    if (classifier_data.data_root() / "toxifrench-benchmark").is_dir():  # REPORT.md's sets where the data is
        assert "| toxifrench_dev | toxicity |" in meta["table"] and "| youtube | spam |" in meta["table"]
    site = registry.load(version)
    assert model.score(NEW_SCAM).spam < 0.2 < 0.5 < site.score(NEW_SCAM).spam
    assert site.score(NEW_SCAM).version == version  # every stored score names the version that produced it
    assert site.score("Merci pour ce compte rendu du conseil municipal.").spam < 0.5


@pytest.mark.parametrize("poison", ["shuffled", "all ham"])
def test_poisoned_labels_are_refused_by_the_gate(env: dict[str, str], tmp_path: Path, store: CommentStore,
                                                 poison: str) -> None:
    labelled(env, tmp_path, stream(200, shuffle=poison == "shuffled", only_ham=poison == "all ham"))
    code, lines = run(env, "model", "retrain")
    assert code == 3 and lines[-1].startswith("kept "), lines[-3:]
    registry = Registry(store.redis, store.keys)
    assert registry.active() is None  # still the shipped model
    [kept] = registry.versions()
    assert kept["gate"] != "passed" and kept["table"]


def test_promote_and_rollback_move_the_active_version(env: dict[str, str], tmp_path: Path, store: CommentStore) -> None:
    labelled(env, tmp_path, stream(150))
    version = run(env, "model", "retrain")[1][-1].removeprefix("promoted ")
    registry = Registry(store.redis, store.keys)
    assert run(env, "model", "rollback") == (0, [f"rolled back to {SHIPPED}"]) and registry.active() is None
    code, listed = run(env, "model", "list")
    assert code == 0 and listed[0].startswith(f"* {SHIPPED}") and listed[1].startswith(f"  {version}")
    assert run(env, "model", "promote", version) == (0, [f"promoted {version}"]) and registry.active() == version
    assert run(env, "model", "promote", "nope")[0] == 1


def test_the_same_labels_give_the_same_model(model: classifier.Model) -> None:
    items = [classifier.Labelled(str(r["content"]), "", int(r["action"] == "spam"), None) for r in stream(90)]
    feats = classifier.shipped_features(model, items)
    first, _ = classifier.adapt_model(model, items, "a", feats=feats)
    second, _ = classifier.adapt_model(model, items, "a", feats=feats)
    assert classifier.model_parts(first)[1] == classifier.model_parts(second)[1]


def test_with_retrain_every_labels_one_worker_retrains_once_per_n_labels(app: Flask, env: dict[str, str],
                                                                         tmp_path: Path, store: CommentStore) -> None:
    settings = WorkerSettings(block_ms=10, retrain_every_labels=100, retrain_min_labels=50)
    first, second = scoring_worker(app, settings, "w1"), scoring_worker(app, settings, "w2")
    labelled(env, tmp_path, stream(60))
    assert first.maybe_retrain() is None  # 60 new labels: not yet
    labelled(env, tmp_path, stream(150))  # the same 60 again (replaced) and 90 more: 150
    verdict = first.maybe_retrain()
    assert verdict is not None and verdict.startswith("promoted ")
    assert second.maybe_retrain() is None  # counted once for the deployment: the next run waits for 100 more
    assert Registry(store.redis, store.keys).active() == verdict.removeprefix("promoted ")


def test_rescore_pending_reorders_the_queue_with_the_active_model(client: FlaskClient, app: Flask,
                                                                  env: dict[str, str], tmp_path: Path,
                                                                  store: CommentStore) -> None:
    ids = []
    for text in ("Merci pour ce compte rendu du conseil municipal.", NEW_SCAM):
        answer = client.post("/api/v1/comments", json=comment_payload(content=text, email=f"{len(ids)}@example.fr"))
        ids.append(answer.get_json()["id"])
    worker = scoring_worker(app, WorkerSettings(block_ms=10), "w")
    worker.ensure_group()
    worker.step()
    scam_before = store.get(ids[1])
    assert scam_before is not None and scam_before["scores"]["spam"] < 0.2
    labelled(env, tmp_path, stream(150))
    version = run(env, "model", "retrain")[1][-1].removeprefix("promoted ")
    code, lines = run(env, "rescore", "--pending")
    assert code == 0 and lines[-1] == f"rescored 2 pending comment(s) with {version}"
    scam = store.get(ids[1])
    assert scam is not None and scam["scores"]["spam"] > 0.5 and scam["model_version"] == version
    assert scam["risk"] > scam_before["risk"]
    assert store.redis.zrevrange(store.keys.by_risk("pending"), 0, 0) == [ids[1]]
