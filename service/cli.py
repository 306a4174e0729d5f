"""The ``moderation`` command: serve, run a scoring worker, manage moderator tokens."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from service import config
from service.embedded import EmbeddedRedis
from service.observability import configure_logging
from service.supervisor import ServeLock, Supervisor

log = logging.getLogger("service.cli")



@contextlib.contextmanager
def redis_url_for_command(cfg: dict[str, Any]) -> Iterator[str]:
    """REDIS_URL when set, else the embedded Redis (started briefly if the server is not running)."""
    if cfg["REDIS_URL"]:
        yield cfg["REDIS_URL"]
        return
    with EmbeddedRedis(cfg["DATA_DIR"]).borrowed() as url:
        yield url


@click.group()
@click.version_option(package_name="comment-moderation", prog_name="moderation")
def main() -> None:
    """Self-hosted comment moderation: validate, score, queue, moderate, publish."""


def fresh_metrics_dir(data_dir: str) -> str:
    """An empty folder for this run's multiprocess metrics (stale files would add old counts)."""
    import shutil
    from pathlib import Path

    path = Path(data_dir).resolve() / "metrics"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return str(path)


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    """The production gunicorn invocation: preloaded app (one model copy), access log to stdout."""
    from gunicorn.config import KNOWN_SETTINGS

    # The app writes its own JSON access log (with the request id), so gunicorn's is off.
    cmd = [sys.executable, "-m", "gunicorn", "service:create_app()", "--bind", f"{host}:{port}",
           "--workers", str(workers), "--preload", "--config", "python:service.gunicorn_conf",
           "--graceful-timeout", "10", "--worker-class", "gevent", "--worker-connections", "1000"]
    if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS):
        cmd.append("--no-control-socket")  # gunicorn >= 24 would share one control socket per user
    return cmd


@main.command()
@click.option("--host", default=None, help="Address to bind (MODERATION_HOST, default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to bind (MODERATION_PORT, default 8000).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Gunicorn web workers (MODERATION_WEB_WORKERS, default 2).")
@click.option("--scoring-workers", type=click.IntRange(0, 64), default=None,
              help="Scoring workers to run alongside (MODERATION_SCORING_WORKERS, default 1).")
def serve(host: str | None, port: int | None, workers: int | None, scoring_workers: int | None) -> None:
    """Run the web service under gunicorn plus scoring workers; embedded Redis if REDIS_URL is unset."""
    cfg = config.load()
    configure_logging(cfg["LOG_LEVEL"], cfg["LOG_FORMAT"])
    host, port = host or cfg["HOST"], port or cfg["PORT"]
    workers = workers or cfg["WEB_WORKERS"]
    scoring = cfg["SCORING_WORKERS"] if scoring_workers is None else scoring_workers
    refuse_busy_port(host, port)
    _check_secret(cfg)
    embedded, lock = None, ServeLock(cfg["DATA_DIR"])  # the lock is held as long as this process lives
    if not cfg["REDIS_URL"] and not lock.acquire():
        raise click.ClickException(f"another `moderation serve` is running on {cfg['DATA_DIR']}")
    env = dict(os.environ)
    env["PROMETHEUS_MULTIPROC_DIR"] = fresh_metrics_dir(cfg["DATA_DIR"])
    if not cfg["REDIS_URL"]:
        embedded = EmbeddedRedis(cfg["DATA_DIR"])
        embedded.take_over()
        env["REDIS_URL"] = embedded.url
        click.echo(f"embedded Redis at {embedded.url} (data in {embedded.data_dir})")
    gunicorn = gunicorn_command(host, port, workers)
    worker_cmd = [sys.executable, "-m", "service.cli", "worker"]
    click.echo(f"serving on http://{host}:{port} with {workers} web and {scoring} scoring worker(s)")
    if scoring == 0 and embedded is None:
        # Nothing else to supervise (a web container): become gunicorn, so that signals reach it directly.
        os.execve(gunicorn[0], gunicorn, env)
    what = f"{workers} web and {scoring} scoring worker(s)" + (" and the embedded Redis" if embedded else "")
    try:
        code = Supervisor(env, embedded, what).run(gunicorn, [worker_cmd] * scoring)
    finally:
        if embedded:
            embedded.stop()
    click.echo("stopped" if code == 0 else f"stopped (exit status {code})", err=True)
    sys.exit(code)


def refuse_busy_port(host: str, port: int, patience: float = 10.0) -> None:
    """Fail before saying "serving on" when something keeps listening there. A port is given ``patience`` seconds
    to come free first, as gunicorn itself would: the workers of a killed `serve` let go of it as they exit."""
    deadline = time.monotonic() + patience
    while (busy := _bind_error(host, port)) is not None:
        if time.monotonic() > deadline:
            raise click.ClickException(
                f"cannot listen on {host}:{port} ({busy}): another program uses it; stop it or choose "
                "another port with --port or MODERATION_PORT")
        time.sleep(0.25)


def _bind_error(host: str, port: int) -> str | None:
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does: TIME_WAIT is no obstacle
            try:
                probe.bind(address)
            except OSError as exc:
                return exc.strerror or str(exc)
    return None


@main.command()
@click.option("--name", default=None, help="Consumer name (default host-pid).")
def worker(name: str | None) -> None:
    """Run one scoring worker against REDIS_URL (or the embedded Redis of a running `serve`)."""
    import classifier
    from service.worker import ScoringWorker, WorkerSettings

    cfg = config.load()
    configure_logging(cfg["LOG_LEVEL"], cfg["LOG_FORMAT"])
    lower_priority(cfg["WORKER_NICE"])
    url = cfg["REDIS_URL"] or EmbeddedRedis(cfg["DATA_DIR"]).url
    resources = _resources(url, cfg)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    from service.extensions import follow_registry

    scorer = ScoringWorker(resources, classifier.load(cfg["MODEL_PATH"]), WorkerSettings.from_config(cfg), name)
    scorer.model, scorer.watcher = follow_registry(resources, cfg, lambda model: setattr(scorer, "model", model))
    scorer.run(stop)


def lower_priority(nice: int) -> None:
    """Give this process ``nice`` (0 to 19) more niceness than it started with.

    Scoring is background work: where it shares cores with gunicorn (``moderation serve``, or
    one host), the scheduler then serves the requests first and scoring takes the idle time.
    """
    if not 0 <= nice <= 19:
        raise click.BadParameter(f"MODERATION_WORKER_NICE must be 0 to 19, not {nice}")
    if nice:
        os.nice(nice)


@main.group()
def token() -> None:
    """Moderator tokens (shown once, stored hashed)."""


def _issue(what: str, name: str, create: Any) -> None:
    """Create a secret with ``create(client, keys, name)`` and print it alone on the last line."""
    if not name.strip() or len(name) > 100:
        raise click.BadParameter("a name of 1 to 100 characters", param_hint="NAME")
    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        store = _resources(url, cfg).store
        secret = create(store.redis, store.keys, name.strip())
    click.echo(f"{what} for {name.strip()} (shown once, keep it secret):")
    click.echo(secret)


@token.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="An admin: also gives and takes away access on the review page.")
def token_create(name: str, admin: bool) -> None:
    """Create a token for moderator NAME and print it alone on the last line."""
    from service.auth import create_token

    _issue("Admin token" if admin else "Token", name,
           lambda client, keys, who: create_token(client, keys, who, "admin" if admin else "moderator"))


def _list(listed: Any) -> None:
    """Print ``listed(client, keys)``'s records, one per line: short id, creation time, owner."""
    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        store = _resources(url, cfg).store
        for record in listed(store.redis, store.keys):
            role = f"  ({record['role']})" if record.get("role", "moderator") != "moderator" else ""
            click.echo(f"{record['id']}  {record['created_at']}  {record['name']}{role}")


def _revoke(what: str, name: str, revoke: Any) -> None:
    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        store = _resources(url, cfg).store
        click.echo(f"revoked {revoke(store.redis, store.keys, name)} {what}(s)")


@token.command("list")
def token_list() -> None:
    """List moderators with tokens (never the tokens)."""
    from service.auth import list_tokens

    _list(list_tokens)


@token.command("revoke")
@click.argument("name")
def token_revoke(name: str) -> None:
    """Revoke every token of moderator NAME."""
    from service.auth import revoke_tokens

    _revoke("token", name, revoke_tokens)


@main.group("api-key")
def api_key() -> None:
    """API keys for machine clients: Akismet and Perspective clients (shown once, stored hashed)."""


@api_key.command("create")
@click.argument("name")
def api_key_create(name: str) -> None:
    """Create an API key for client NAME and print it alone on the last line."""
    from service.auth import create_api_key

    _issue("API key", name, create_api_key)


@api_key.command("list")
def api_key_list() -> None:
    """List machine clients with API keys (never the keys)."""
    from service.auth import list_api_keys

    _list(list_api_keys)


@api_key.command("revoke")
@click.argument("name")
def api_key_revoke(name: str) -> None:
    """Revoke every API key of client NAME: its requests are refused at once."""
    from service.auth import revoke_api_keys

    _revoke("API key", name, revoke_api_keys)


@main.group()
def site() -> None:
    """Site credentials: one per blog plugin (WordPress), scoped to that site's comments and decisions."""


@site.command("create")
@click.argument("name")
def site_create(name: str) -> None:
    """Create a credential for site NAME (lowercase letters, digits, hyphens) and print it alone on the last line."""
    from service.auth import SITE_NAME, create_site

    if not SITE_NAME.match(name):
        raise click.BadParameter("1 to 63 lowercase letters, digits and hyphens, starting with a letter or digit",
                                 param_hint="NAME")
    _issue("site credential", name, create_site)


@site.command("list")
def site_list() -> None:
    """List sites with credentials (never the credentials)."""
    from service.auth import list_sites

    _list(list_sites)


@site.command("revoke")
@click.argument("name")
def site_revoke(name: str) -> None:
    """Revoke every credential of site NAME: its plugin's requests are refused at once."""
    from service.auth import revoke_sites

    _revoke("site credential", name, revoke_sites)


@main.group("import")
def import_() -> None:
    """Bring a blog's existing comments in."""


@import_.command("wordpress")
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", help="The site's name, as in `moderation site create NAME` (default: the only site).")
def import_wordpress(export: Path, site: str | None) -> None:
    """Import a WordPress export (Tools > Export, a WXR file): approved comments published, spam as spam,
    pending ones queued. Re-running it imports nothing twice; an invalid file imports nothing."""
    from service import importer
    from service.auth import SITE_NAME, list_sites

    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        res = _resources(url, cfg)
        if site is None:
            names = sorted({record["name"] for record in list_sites(res.store.redis, res.store.keys)})
            if len(names) != 1:
                raise click.UsageError("say which site the comments are from: --site NAME "
                                       f"(sites with credentials: {', '.join(names) or 'none'})")
            site = names[0]
        if not SITE_NAME.match(site):
            raise click.BadParameter("lowercase letters, digits and hyphens", param_hint="--site")
        try:
            checked = importer.check(res.intake, site, export)
        except importer.BadExport as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{export.name}: {sum(checked.values())} comment(s), all valid; importing as site {site}",
                   err=True)
        with click.progressbar(length=sum(checked.values()), label="importing", file=sys.stderr) as bar:
            counts = importer.run(res.intake, res.store, site, export, bar.update, checked=True)
    for what in ("approved", "spam", "pending", "already imported", "skipped"):
        click.echo(f"{what}: {counts[what]}")


@main.group()
def model() -> None:
    """Model versions: every process of the deployment scores with the active one (switching within seconds)."""


@model.command("list")
def model_list() -> None:
    """Every version in the registry, oldest first; the active one marked with *."""
    from service.registry import SHIPPED

    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        registry = _resources(url, cfg).registry
        versions, active = registry.versions(), registry.active()
    click.echo(f"{'*' if active is None else ' '} {SHIPPED:<40} the artifact in {cfg['MODEL_PATH'] or 'classifier/'}")
    for record in versions:
        about = ", ".join(f"{k}: {v}" for k, v in record.items() if k in ("created_at", "site", "labels", "weight"))
        click.echo(f"{'*' if record['active'] else ' '} {record['version']:<40} {about}")


@model.command("retrain")
@click.option("--site", help="Learn from this site's labels only (default: every label of the deployment).")
@click.option("--adapter", is_flag=True,
              help="Fit a site adapter (seconds) even where MODERATION_TRAINING_DATA would allow a retrain (minutes).")
def model_retrain(site: str | None, adapter: bool) -> None:
    """Train a candidate from the moderators' labels and promote it only if it passes the gate. The last line
    says `promoted VERSION` (exit 0) or `kept VERSION: why` (exit 3); nothing trained (too few labels, not the
    shipped training data): exit 4."""
    import classifier
    from service import learning

    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        res = _resources(url, cfg)
        shipped = classifier.load(cfg["MODEL_PATH"])
        current = learning.in_force(res.registry, shipped)
        try:
            training = None if adapter or not cfg["TRAINING_DATA"] else Path(cfg["TRAINING_DATA"])
            outcome = learning.retrain(res.store, res.registry, current, shipped, site, cfg["RETRAIN_MIN_LABELS"],
                                       log=lambda line: click.echo(line, err=True), training=training)
        except learning.NothingTrained as exc:
            click.echo(str(exc))
            sys.exit(4)
    if outcome.promoted:
        click.echo(f"promoted {outcome.version}")
        return
    click.echo(f"kept {outcome.version}: {outcome.why}")
    sys.exit(3)


@main.command()
@click.option("--pending", is_flag=True, help="The waiting queue (the only choice for now).")
def rescore(pending: bool) -> None:
    """Score the waiting queue again with the active model version, so that its order follows it."""
    import classifier
    from service import learning

    if not pending:
        raise click.UsageError("say what to score again: --pending")
    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        res = _resources(url, cfg)
        model = learning.in_force(res.registry, classifier.load(cfg["MODEL_PATH"]))
        waiting = res.store.counts()["pending"]
        with click.progressbar(length=waiting, label=f"rescoring with {model.version}", file=sys.stderr) as bar:
            done = learning.rescore_pending(res.store, model, bar.update)
    click.echo(f"rescored {done} pending comment(s) with {model.version}")


@model.command("publish")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--promote", is_flag=True, help="Make it the active version at once.")
def model_publish(folder: Path, promote: bool) -> None:
    """Store the artifact in FOLDER (as `python -m classifier train` writes one) as a version."""
    import classifier

    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        registry = _resources(url, cfg).registry
        try:
            version = registry.publish_folder(folder, {"source": str(folder)})
        except classifier.ArtifactError as exc:
            raise click.ClickException(str(exc)) from None
        if promote:
            registry.promote(version)
    click.echo(f"{'promoted' if promote else 'published'} {version}")


@model.command("promote")
@click.argument("version")
def model_promote(version: str) -> None:
    """Make VERSION the active one: every process switches to it within seconds."""
    from service.registry import UnknownVersion

    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        try:
            _resources(url, cfg).registry.promote(version)
        except UnknownVersion:
            raise click.ClickException(f"no version {version} (see `moderation model list`)") from None
    click.echo(f"promoted {version}")


@model.command("rollback")
def model_rollback() -> None:
    """Back to the version active before the current one (every process, within seconds)."""
    from service.registry import UnknownVersion

    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        try:
            previous = _resources(url, cfg).registry.rollback()
        except UnknownVersion as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"rolled back to {previous}")


@main.group()
def labels() -> None:
    """Moderators' labelled examples (every decision), for the site's models to learn from."""


@labels.command("export")
@click.option("--site", help="Only this site's labels.")
def labels_export(site: str | None) -> None:
    """Print every label as JSON Lines, oldest first (the format `labels import` reads)."""
    import json

    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        for label in _resources(url, cfg).store.labels.export(site):
            click.echo(json.dumps(label, ensure_ascii=False, sort_keys=True))


@labels.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def labels_import(path: Path) -> None:
    """Add labels from a JSON Lines file (the export's format). Every line is checked first: a bad line is
    reported with its number and nothing is imported. A label for a comment already labelled replaces it."""
    from service.labels import BadLabels, parse

    try:
        with path.open(encoding="utf-8") as lines:
            parsed = parse(lines)
    except (BadLabels, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path.name}: nothing imported:\n{exc}") from None
    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        written = _resources(url, cfg).store.labels.record(parsed)
    click.echo(f"imported {written} label(s)")


@main.group()
def privacy() -> None:
    """GDPR: export or erase everything held about one email."""


@privacy.command("export")
@click.argument("email")
def privacy_export(email: str) -> None:
    """Print everything held about EMAIL as JSON."""
    import json

    from service import privacy as gdpr

    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        res = _resources(url, cfg)
        store, guard = res.store, res.guard
        click.echo(json.dumps(gdpr.export(store, guard, email), ensure_ascii=False, indent=2))


@privacy.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def privacy_erase(email: str, yes: bool) -> None:
    """Delete EMAIL's comments and every trace of it; the audit trail keeps an anonymous entry."""
    from service import privacy as gdpr

    if not yes:
        click.confirm("Erase every comment and trace of this email?", abort=True)
    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        res = _resources(url, cfg)
        result = gdpr.erase(res.store, res.guard, email, "cli")
    click.echo(f"erased {result['comments']} comment(s), {result['audit_entries']} audit entrie(s)")
    click.echo(f"on disk: {result['disk']}")


@privacy.command("compact")
def privacy_compact() -> None:
    """Rewrite Redis's append-only file, so that erased data leaves the disk."""
    cfg = config.load()
    with redis_url_for_command(cfg) as url:
        click.echo(_resources(url, cfg).store.rewrite_persistence())


def _resources(url: str, cfg: dict[str, Any]) -> Any:
    from service.resources import build

    _check_secret(cfg)
    return build(cfg, url)


def _check_secret(cfg: dict[str, Any]) -> None:
    """Refuse a placeholder secret before anything starts, with the way out."""
    from service.resources import WeakSecret, secret_key

    try:
        secret_key(cfg["SECRET_KEY"], cfg["DATA_DIR"])
    except WeakSecret as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":
    main()
