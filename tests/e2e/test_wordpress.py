"""The WordPress plugin against a real French WordPress (Debian's package, PHP, MariaDB) and the real service
(gunicorn, a scoring worker, webhooks, Redis): a reader's comment through WordPress's own form is held and
scored, decisions go both ways without echo, and nothing is lost while the service is down."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from service.auth import create_site, create_token
from service.keys import Keys
from service.store import CommentStore
from tests.conftest import RELAXED_ENV
from tests.servers import RedisServer, ServiceProcess, free_port, wait_until
from tests.wordpress import ADMIN, PASSWORD, WordPress, missing

pytestmark = pytest.mark.skipif(missing() is not None, reason=f"WordPress cannot run here: {missing()}")

SECRET = "whsec-" + uuid.uuid4().hex
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


class Blog:
    """The service and the blog, wired as docs/wordpress.md says."""

    def __init__(self, service: ServiceProcess, wp: WordPress, store: CommentStore, token: str):
        self.service, self.wp, self.store, self.token = service, wp, store, token
        self.post_id = wp.post_id()
        self.reader = requests.Session()

    def comment(self, content: str, email: str = "lecteur@example.fr") -> int:
        return self.wp.post_comment(self.reader, self.post_id, "Lecteur", email, content)

    def ours(self, wp_id: int, timeout: float = 20) -> dict[str, Any]:
        """Our stored comment for a WordPress comment, once the plugin has sent it and a worker scored it."""
        def scored() -> dict[str, Any] | None:
            ours = self.wp.comment_meta(wp_id, "_moderation_service_id")
            found = self.store.get(ours) if ours else None
            return found if found and found.get("status") != "received" else None
        return wait_until(scored, timeout, 0.2, what=f"WordPress comment {wp_id} scored by the service")

    def decide(self, comment_id: str, action: str) -> None:
        response = requests.post(f"{self.service.base}/api/v1/moderation/comments/{comment_id}/decision",
                                 json={"action": action}, headers={"Authorization": f"Bearer {self.token}"},
                                 timeout=10)
        assert response.status_code == 200, response.text

    def admin(self) -> requests.Session:
        session = requests.Session()
        session.cookies.set("wordpress_test_cookie", "WP Cookie check")
        response = session.post(self.wp.base + "/wp-login.php", data={
            "log": ADMIN, "pwd": PASSWORD, "testcookie": "1", "redirect_to": self.wp.base + "/wp-admin/"}, timeout=30)
        assert "wp-admin" in response.url and response.status_code == 200, response.url
        return session


@pytest.fixture(scope="module")
def blog(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Blog]:
    root = tmp_path_factory.mktemp("wordpress")
    prefix = f"wp{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    keys = Keys(prefix)
    credential, token = create_site(client, keys, "journal"), create_token(client, keys, "alice")
    wp_port, service_port = free_port(), free_port()
    events = f"http://127.0.0.1:{wp_port}/?rest_route=/moderation-service/v1/events"
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, **RELAXED_ENV,
           "MODERATION_WEBHOOKS": json.dumps([{"url": events, "secrets": [SECRET]}]),
           "MODERATION_WEBHOOK_BACKOFF_SECONDS": "0.5"}
    service = ServiceProcess(root / "service", env, web_workers=2, scoring_workers=1, port=service_port).start()
    wp = WordPress(root, service.base, credential, SECRET, port=wp_port).start()
    store = CommentStore(client, keys)
    try:
        yield Blog(service, wp, store, token)
    finally:
        wp.stop()
        if service.proc is not None and service.proc.poll() is None:
            service.stop()
        client.close()


def test_a_readers_comment_is_held_in_wordpress_and_scored_in_our_queue(blog: Blog) -> None:
    wp_id = blog.comment("Très bonne analyse du vote, merci pour ce compte rendu détaillé.")
    assert blog.wp.comment_status(wp_id) == "unapproved"  # "en attente de modération"
    ours = blog.ours(wp_id)
    assert ours["status"] == "pending" and ours["scores"]["spam"] >= 0
    assert (ours["site"], ours["external_id"], ours["source"]) == ("journal", str(wp_id), "site")
    assert ours["post_title"] == "Le budget 2027 voté de justesse"
    assert ours["email"] == "lecteur@example.fr" and ours["ip"]  # the reader's, not WordPress's server's


def test_approving_on_our_side_publishes_it_on_the_article(blog: Blog) -> None:
    text = "Je partage totalement cet avis sur le budget."  # no quote: WordPress would curl it
    wp_id = blog.comment(text)
    ours = blog.ours(wp_id)
    article = str(blog.wp.eval(f"return get_permalink({blog.post_id});"))
    assert text not in html.unescape(requests.get(article, timeout=30).text)
    blog.decide(ours["id"], "approve")
    wait_until(lambda: blog.wp.comment_status(wp_id) == "approved", 20, 0.2, what="the webhook to approve it")
    assert text in html.unescape(requests.get(article, timeout=30).text)


def test_spam_filed_by_our_policy_is_spam_in_wordpress(blog: Blog) -> None:
    rule = requests.post(f"{blog.service.base}/api/v1/moderation/authors", timeout=10,
                         json={"email": "pret-rapide@example.com", "mode": "block"},
                         headers={"Authorization": f"Bearer {blog.token}"})
    assert rule.status_code == 201
    wp_id = blog.comment("Besoin d'un prêt entre particuliers rapide ? Écrivez-moi.", email="pret-rapide@example.com")
    assert blog.ours(wp_id)["status"] == "spam"
    wait_until(lambda: blog.wp.comment_status(wp_id) == "spam", 20, 0.2, what="the webhook to mark it spam")


def test_spam_in_wp_admin_is_spam_in_our_store_with_a_label_and_no_echo(blog: Blog) -> None:
    wp_id = blog.comment("Je trouve que le gouvernement aurait dû consulter davantage les maires.")
    ours = blog.ours(wp_id)
    admin = blog.admin()
    listing = html.unescape(admin.get(blog.wp.base + "/wp-admin/edit-comments.php?comment_status=moderated",
                                      timeout=30).text)
    link = re.search(rf'href="(comment\.php\?c={wp_id}&action=spamcomment&_wpnonce=\w+)"', listing)
    assert link, "no spam action for the comment in the list table"
    admin.get(blog.wp.base + "/wp-admin/" + link.group(1), timeout=30)
    assert blog.wp.comment_status(wp_id) == "spam"
    stored = blog.store.get(ours["id"])
    assert stored is not None and (stored["status"], stored["decided_by"]) == ("spam", f"journal/{ADMIN}")
    labels = blog.store.labels.get([ours["id"]])
    assert [(f["spam"], f["source"]) for f in labels] == [(1, "site")]
    time.sleep(1.5)  # our webhook for that decision comes back: it must change nothing and send nothing back
    assert blog.wp.comment_status(wp_id) == "spam"
    audit = [f for _, f in blog.store.redis.xrange(blog.store.keys.audit()) if f["comment_id"] == ours["id"]]
    assert [f["to"] for f in audit] == ["received", "pending", "spam"]


def test_while_the_service_is_down_comments_stay_pending_and_are_sent_later(blog: Blog) -> None:
    blog.service.stop()
    try:
        started = time.monotonic()
        wp_id = blog.comment("Commentaire écrit pendant la panne du service de modération.")
        assert time.monotonic() - started < 10  # the reader is not kept waiting (time-out 3 s)
        assert blog.wp.comment_status(wp_id) == "unapproved"
        assert blog.wp.comment_meta(wp_id, "_moderation_service_unsent") == "1"
        notice = html.unescape(blog.admin().get(blog.wp.base + "/wp-admin/edit-comments.php", timeout=30).text)
        assert "moderation-service-unsent" in notice
        blog.wp.cron()  # still down: nothing changes, nothing is lost
        assert blog.wp.comment_meta(wp_id, "_moderation_service_unsent") == "1"
    finally:
        blog.service.start()
    blog.wp.cron()
    ours = blog.ours(wp_id)
    assert ours["external_id"] == str(wp_id)
    blog.wp.cron()  # a second run sends nothing twice
    assert blog.store.counts()["pending"] + blog.store.counts()["approved"] + blog.store.counts()["spam"] == len(
        [1 for _, f in blog.store.redis.xrange(blog.store.keys.audit()) if f["to"] == "received"])


def test_a_decision_whose_webhook_was_lost_arrives_by_reconciliation(blog: Blog) -> None:
    wp_id = blog.comment("Un commentaire dont la décision se perd en route.")
    ours = blog.ours(wp_id)
    blog.wp.eval("update_option('moderation_service_webhook_secret', 'not-the-secret'); return true;")
    try:
        blog.decide(ours["id"], "approve")
        time.sleep(1.5)  # the webhook is refused (bad signature)
        assert blog.wp.comment_status(wp_id) == "unapproved"
    finally:
        blog.wp.eval(f"update_option('moderation_service_webhook_secret', '{SECRET}'); return true;")
    blog.wp.cron()
    assert blog.wp.comment_status(wp_id) == "approved"


def _signed(body: bytes, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    stamp = str(at or int(time.time()))
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Moderation-Timestamp": stamp,
            "X-Moderation-Signature": f"v1={digest}"}


def test_the_events_route_accepts_only_fresh_events_signed_with_a_configured_secret(blog: Blog) -> None:
    wp_id = blog.comment("Un commentaire que seul un webhook signé peut publier.")
    ours = blog.ours(wp_id)
    body = json.dumps({"id": f"evt-{wp_id}", "type": "comment.approved",
                       "comment": {"id": ours["id"], "external_id": str(wp_id), "status": "approved"}}).encode()
    for url in (blog.wp.events_url, blog.wp.base + "/wp-json/moderation-service/v1/events"):
        unsigned = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
        assert unsigned.status_code == 401
    assert requests.post(blog.wp.events_url, data=body, headers=_signed(body, "wrong"), timeout=30).status_code == 401
    stale = _signed(body, at=int(time.time()) - 3600)
    assert requests.post(blog.wp.events_url, data=body, headers=stale, timeout=30).status_code == 401
    assert blog.wp.comment_status(wp_id) == "unapproved"
    rotated = f"{SECRET}-next"
    blog.wp.eval(f"update_option('moderation_service_webhook_secret', '{rotated}, {SECRET}'); return true;")
    try:
        accepted = requests.post(blog.wp.events_url, data=body, headers=_signed(body, rotated), timeout=30)
        assert accepted.status_code == 200 and accepted.json()["status"] == "applied"
        again = requests.post(blog.wp.events_url, data=body, headers=_signed(body, rotated), timeout=30)
        assert again.json()["status"] == "already applied"
    finally:
        blog.wp.eval(f"update_option('moderation_service_webhook_secret', '{SECRET}'); return true;")
    assert blog.wp.comment_status(wp_id) == "approved"


def test_the_settings_page_is_french_tests_the_connection_and_is_pictured(blog: Blog, output_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
        page.goto(blog.wp.base + "/wp-login.php")
        page.fill("#user_login", ADMIN)
        page.fill("#user_pass", PASSWORD)
        page.click("#wp-submit")
        page.wait_for_url("**/wp-admin/**")
        page.goto(blog.wp.base + "/wp-admin/options-general.php?page=moderation-service")
        assert page.locator("h1").inner_text() == "Service de modération"
        assert blog.wp.events_url.split("?")[0] in page.locator(".moderation-service-webhook").inner_text()
        page.click("#moderation-service-test")
        assert "« journal »" in page.locator(".moderation-service-test").inner_text()
        page.screenshot(path=str(output_dir / "wordpress-settings.png"), full_page=True)
        wp_id = blog.comment("Un commentaire en attente, vu depuis l'écran Commentaires.")
        blog.ours(wp_id)
        page.goto(blog.wp.base + "/wp-admin/edit-comments.php?comment_status=moderated")
        row = page.locator(f"#comment-{wp_id}")
        assert "Un commentaire en attente" in row.inner_text()
        page.screenshot(path=str(output_dir / "wordpress-held-comment.png"), full_page=False)
        browser.close()


def test_a_wordpress_export_imports_with_the_blogs_own_counts(blog: Blog, redis_server: RedisServer,
                                                             tmp_path: Path) -> None:
    from click.testing import CliRunner

    from service.cli import main

    path = tmp_path / "export.xml"
    path.write_text(str(blog.wp.eval("""require_once ABSPATH . 'wp-admin/includes/export.php';
        ob_start(); export_wp(); return ob_get_clean();""")))
    wordpress = blog.wp.eval("return wp_count_comments();")
    assert isinstance(wordpress, dict)
    fresh = f"imp{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    create_site(client, Keys(fresh), "journal")
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": fresh, "MODERATION_SECRET_KEY": "k"}
    result = CliRunner().invoke(main, ["import", "wordpress", str(path)], env=env)
    assert result.exit_code == 0, result.output
    counts = dict(line.split(": ") for line in result.output.splitlines()[-5:])
    assert (int(counts["approved"]), int(counts["pending"]), int(counts["skipped"])) == (
        wordpress["approved"], wordpress["moderated"], wordpress["trash"])
    assert wordpress["spam"] > 0 and counts["spam"] == "0"  # WordPress leaves spam out of its exports
    # Into the service the plugin talks to: what the plugin sent is already there; only what predates it comes in.
    env["MODERATION_REDIS_PREFIX"] = blog.store.keys.prefix
    again = CliRunner().invoke(main, ["import", "wordpress", str(path)], env=env)
    assert again.exit_code == 0, again.output
    before_plugin = int(blog.wp.eval(
        "return count(get_comments(array('status' => 'all', 'meta_key' => '_moderation_service_id', "
        "'meta_compare' => 'NOT EXISTS', 'type' => 'comment')));"))  # type: ignore[call-overload]
    exported = int(counts["approved"]) + int(counts["pending"])
    assert f"already imported: {exported - before_plugin}" in again.output
    assert f"approved: {before_plugin}" in again.output
    client.close()


def test_uninstall_removes_the_plugins_options_and_metadata(blog: Blog) -> None:
    left = blog.wp.eval("""
        uninstall_plugin('moderation-service/moderation-service.php');
        global $wpdb;
        return array(get_option('moderation_service_token', 'gone'),
            (int) $wpdb->get_var("SELECT COUNT(*) FROM $wpdb->commentmeta WHERE meta_key LIKE '_moderation_service%'"),
            (bool) wp_next_scheduled('moderation_service_reconcile'));""")
    assert left == ["gone", 0, False]
