"""`moderation model retrain` where the shipped training data is on the host (MODERATION_TRAINING_DATA): the
heads are fitted again on that data plus the site's labels, at a weight chosen by cross-validation on the labels.

The real training data takes minutes to fit (classifier/LEARNING.md measures it); here a small training set cut
from the bundled data stands in for it, with a model really trained on it (`python -m classifier train`) as the
shipped one, so that every step runs for real, in seconds."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import classifier
from classifier import data
from classifier.train import train
from service.registry import SHIPPED, ModelWatcher, Registry
from service.store import CommentStore
from service.worker import WorkerSettings
from tests.conftest import comment_payload, scoring_worker
from tests.servers import RedisServer
from tests.service.test_learning import NEW_SCAM, labelled, run, stream
from tests.web.test_session import sign_in

ROWS = 120  # per training file: every head and fold has both kinds, and a training takes seconds


def cut(source: Path, dest: Path, rows: int = ROWS) -> None:
    """Every k-th record of a bundled training file, so that the small copy keeps its mix of labels."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if source.suffix == ".csv":
        with source.open(encoding="utf-8", errors="replace", newline="") as fh:
            reader = csv.DictReader(fh)
            records = list(reader)
            fields = reader.fieldnames or []
        with dest.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fields)
            writer.writeheader()
            writer.writerows(records[:: max(1, len(records) // rows)])
    else:
        lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
        dest.write_text("\n".join(lines[:: max(1, len(lines) // rows)]) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def small_training(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(a training data root, the model trained on it): a small stand-in for the shipped pair."""
    root = tmp_path_factory.mktemp("training-data")
    for name, path in data.source_files(data.BUNDLED).items():
        cut(path, root / name)
    shutil.copytree(data.BUNDLED / "multilingual-hatecheck-fr", root / "multilingual-hatecheck-fr")  # the gate's
    out = tmp_path_factory.mktemp("shipped")
    train(out, root, log=lambda line: None, params={"word_features": 2**14, "char_features": 2**14})
    return root, out


@pytest.fixture
def env(redis_server: RedisServer, prefix: str, small_training: tuple[Path, Path]) -> dict[str, str]:
    root, shipped = small_training
    return {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_SECRET_KEY": "k",
            "MODERATION_TRAINING_DATA": str(root), "MODERATION_MODEL_PATH": str(shipped)}


def test_the_heads_are_fitted_again_on_the_training_data_and_the_labels(env: dict[str, str], tmp_path: Path,
                                                                         store: CommentStore) -> None:
    shipped = classifier.load(env["MODERATION_MODEL_PATH"])
    assert shipped.score(NEW_SCAM).spam < 0.5
    labelled(env, tmp_path, stream(150))
    code, lines = run(env, "model", "retrain", "--site", "journal")
    assert code == 0, lines[-12:]
    version = lines[-1].removeprefix("promoted ")
    assert version == f"{shipped.version}+journal.{version.split('.')[-2]}.retrained"
    assert any("embedding the shipped training data" in line for line in lines)
    assert any("] spam: weight 25: log loss" in line for line in lines)  # each weight's CV, shown
    registry = Registry(store.redis, store.keys)
    meta = registry.get(version)
    assert meta["kind"] == "retrained" and meta["weight"]["spam"] in (1.0, 5.0, 25.0)
    assert meta["training_data"] == shipped.manifest["data"]  # the checksums of the data it was fitted on
    assert meta["label_counts"]["spam"] == 50 and "| held-back labels | spam |" in meta["table"]
    site = registry.load(version)
    report = site.manifest["retrained"]["heads"]
    assert report["spam"]["retrained"] and set(report["spam"]["cv_log_loss"]) == {"1.0", "5.0", "25.0"}
    assert not report["toxicity"]["retrained"]  # no toxicity labels: the shipped head, untouched
    assert (site.heads["toxicity"].coef == shipped.heads["toxicity"].coef).all()
    assert (site.heads["spam"].coef != shipped.heads["spam"].coef).any()
    assert site.score(NEW_SCAM).spam > 0.5 and site.score(NEW_SCAM).version == version
    assert site.score("Merci pour ce compte rendu du conseil municipal.").spam < 0.5


def test_the_same_data_and_labels_give_the_same_weights(small_training: tuple[Path, Path]) -> None:
    root, out = small_training
    items = [classifier.Labelled(str(r["content"]), "", int(r["action"] == "spam"), None) for r in stream(60)]
    retrainer = classifier.Retrainer(classifier.load(out), classifier.training_sets(root))
    first, _ = retrainer.fit(items, "a")
    second, _ = retrainer.fit(items, "a")
    assert classifier.model_parts(first)[1] == classifier.model_parts(second)[1]


def test_other_training_data_is_refused_and_nothing_is_trained(env: dict[str, str], tmp_path: Path,
                                                               store: CommentStore) -> None:
    other = tmp_path / "other"
    shutil.copytree(env["MODERATION_TRAINING_DATA"], other)
    (other / "sms-spam-collection" / "SMSSpamCollection").write_text("ham\tbonjour\n", encoding="utf-8")
    labelled(env, tmp_path, stream(150))
    code, lines = run({**env, "MODERATION_TRAINING_DATA": str(other)}, "model", "retrain")
    assert code == 4 and "sms-spam-collection/SMSSpamCollection missing or different" in lines[-1]
    assert Registry(store.redis, store.keys).versions() == []


def test_adapter_fits_an_adapter_where_the_data_would_allow_a_retrain(env: dict[str, str], tmp_path: Path,
                                                                      store: CommentStore) -> None:
    labelled(env, tmp_path, stream(150))
    code, lines = run(env, "model", "retrain", "--adapter")
    version = lines[-1].split(" ")[1].rstrip(":")
    assert code in (0, 3) and not version.endswith(".retrained")
    assert Registry(store.redis, store.keys).get(version)["kind"] == "adapter"


def test_an_automatic_retrain_runs_in_a_thread_while_the_worker_goes_on_scoring(
        app: Flask, client: FlaskClient, env: dict[str, str], tmp_path: Path, store: CommentStore,
        small_training: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    root, out = small_training
    monkeypatch.setenv("MODERATION_TRAINING_DATA", str(root))  # as on a host that trains: its sets gate too
    shipped = classifier.load(out)
    worker = scoring_worker(app, WorkerSettings(block_ms=10, retrain_every_labels=100, training_data=str(root)))
    worker.model = shipped
    registry = Registry(store.redis, store.keys)
    worker.watcher = ModelWatcher(registry, lambda: shipped, SHIPPED, lambda m: setattr(worker, "model", m), 0.01)
    worker.ensure_group()
    labelled(env, tmp_path, stream(150))
    assert worker.maybe_retrain() == "retraining"
    assert worker.maybe_retrain() is None  # one at a time
    answer = client.post("/api/v1/comments", json=comment_payload(content="Merci pour ce compte rendu."))
    assert answer.status_code == 202
    assert worker.step() == 1  # scored while the retrain goes on
    assert worker._retraining is not None and worker._retraining.is_alive()  # noqa: SLF001
    worker._retraining.join(180)  # noqa: SLF001
    [version] = registry.versions()
    assert version["kind"] == "retrained" and version["gate"] == "passed" and registry.active() == version["version"]
    worker.follow_model()
    assert worker.model.version == version["version"]
    ModelWatcher(registry, lambda: shipped, SHIPPED, lambda m: app.extensions.update({"moderation.model": m})).check()
    assert sign_in(client, token) == 302
    page = client.get("/moderation/").get_data(as_text=True)  # the review page names it and what it learned from
    assert version["version"] in page and "appris de 150 décisions de vos modérateurs" in page
    assert store.lock("retrain", "another worker", 1)  # the thread let go of the deployment's lock
