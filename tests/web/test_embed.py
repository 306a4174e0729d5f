"""The embeddable form on the example blog page, in a real browser, against a real service."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from service.auth import create_token
from service.keys import Keys
from tests.conftest import RELAXED_ENV
from tests.servers import RedisServer, ServiceProcess, answers, free_port, wait_until
from tests.web.test_review_page import CHROMIUM, FLAGS, playwright_api, pytestmark  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def blog(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    prefix = f"embed{uuid.uuid4().hex[:6]}"
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix,
           "MODERATION_ALLOWED_ORIGINS": origin, **RELAXED_ENV}
    service = ServiceProcess(tmp_path_factory.mktemp("embed"), env).start()
    page_server = subprocess.Popen([sys.executable, str(ROOT / "examples/blog/serve.py"), "--port", str(port),
                                    "--service", service.base], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_until(lambda: answers(origin), 15, what="the example blog")
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    token = create_token(client, Keys(prefix), "moderatrice")
    client.close()
    yield {"origin": origin, "service": service, "token": token}
    page_server.terminate()
    page_server.wait(timeout=10)
    assert page_server.stdout is not None
    page_server.stdout.close()
    service.stop()



@pytest.fixture
def page(blog: dict[str, Any]) -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(locale="fr-FR")
        pg = context.new_page()
        hosts: list[str] = []
        pg.on("request", lambda r: hosts.append(r.url.split("/")[2]))
        pg.hosts = hosts
        yield pg
        browser.close()


def test_submit_through_the_embedded_form_then_see_it_published(page: Any, blog: dict[str, Any],
                                                                output_dir: Path) -> None:
    page.goto(blog["origin"] + "/")
    form = page.locator("form.mod-form")
    form.wait_for()
    assert "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *" in form.inner_text()
    assert page.locator("label:has-text('Nom') .mod-required").count() == 1
    page.get_by_role("textbox", name="Nom").fill("Camille")
    page.get_by_role("textbox", name="E-mail").fill("camille@example.fr")
    page.get_by_role("textbox", name="Commentaire").fill("Merci pour ces explications très claires.")
    page.get_by_role("button", name="Publier le commentaire").click()
    status = page.locator(".mod-status")
    wait_until(lambda: "en attente de modération" in status.inner_text(), 10, what="the notice")
    page.screenshot(path=str(output_dir / "example-blog.png"), full_page=True)

    service, headers = blog["service"], {"Authorization": f"Bearer {blog['token']}"}
    queue = wait_until(lambda: requests.get(f"{service.base}/api/v1/moderation/queue?post=retraites-cinq-points",
                                            headers=headers, timeout=5).json()["items"], 15, what="scoring")
    assert queue[0]["post_title"] == page.title() and queue[0]["post_url"] == blog["origin"] + "/"  # for the card
    requests.post(f"{service.base}/api/v1/moderation/comments/{queue[0]['id']}/decision", headers=headers,
                  json={"action": "approve"}, timeout=5)
    page.reload()
    page.locator(".mod-comment").wait_for()
    assert "Merci pour ces explications très claires." in page.locator(".mod-comments").inner_text()
    assert "camille@example.fr" not in page.content()
    assert set(page.hosts) <= {blog["origin"].split("/")[2], service.base.split("/")[2]}  # no third party


def test_validation_errors_appear_next_to_their_fields_in_french(page: Any, blog: dict[str, Any]) -> None:
    page.goto(blog["origin"] + "/")
    page.locator("form.mod-form").wait_for()
    page.get_by_role("textbox", name="E-mail").fill("pas-une-adresse")
    page.get_by_role("button", name="Publier le commentaire").click()
    def error_of(name: str) -> str:
        return str(page.locator("#" + page.get_by_role("textbox", name=name).get_attribute("aria-describedby"))
                   .inner_text())

    assert error_of("Nom") == "Ce champ est obligatoire."
    assert error_of("E-mail") == "Adresse e-mail invalide."
    assert page.get_by_role("textbox", name="E-mail").get_attribute("aria-invalid") == "true"


def test_the_embed_is_small(blog: dict[str, Any]) -> None:
    service = blog["service"]
    size = sum(len(requests.get(f"{service.base}/{name}", timeout=5).content) for name in ("embed.js", "embed.css"))
    assert size < 15 * 1024


def test_details_are_kept_only_with_consent_and_my_pending_comment_shows_to_me_alone(
        page: Any, blog: dict[str, Any]) -> None:
    page.goto(blog["origin"] + "/")
    page.locator("form.mod-form").wait_for()
    consent = page.get_by_label("Enregistrer mon nom, mon e-mail et mon site dans le navigateur pour mon prochain "
                                "commentaire.")
    assert not consent.is_checked()
    page.get_by_role("textbox", name="Nom").fill("Inès")
    page.get_by_role("textbox", name="E-mail").fill("ines@example.fr")
    page.get_by_role("textbox", name="Commentaire").fill("Et les carrières longues ?")
    consent.check()
    page.get_by_role("button", name="Publier le commentaire").click()
    wait_until(lambda: "en attente" in page.locator(".mod-status").inner_text(), 10, what="the notice")
    page.reload()
    mine = page.locator(".mod-pending", has_text="Et les carrières longues ?")
    mine.wait_for()
    assert "Votre commentaire est en attente de modération. Il n’est visible que par vous." in mine.inner_text()
    name, email = page.get_by_role("textbox", name="Nom"), page.get_by_role("textbox", name="E-mail")
    assert (name.input_value(), email.input_value(), consent.is_checked()) == ("Inès", "ines@example.fr", True)

    other = page.context.browser.new_context(locale="fr-FR").new_page()  # another reader, or this one later
    other.goto(blog["origin"] + "/")
    other.locator("form.mod-form").wait_for()
    other.locator(".mod-comments h2").wait_for()
    assert "Et les carrières longues ?" not in other.locator(".mod-comments").inner_text()
    assert other.get_by_role("textbox", name="Nom").input_value() == ""

    consent.uncheck()  # no consent: the details are forgotten after the next comment
    page.get_by_role("textbox", name="Commentaire").fill("Merci pour la réponse.")
    page.get_by_role("button", name="Publier le commentaire").click()
    wait_until(lambda: page.get_by_role("textbox", name="Nom").input_value() == "", 10, what="the form to be cleared")
    page.reload()
    page.locator(".mod-pending").first.wait_for()
    assert page.get_by_role("textbox", name="Nom").input_value() == "" and not consent.is_checked()

    service, headers = blog["service"], {"Authorization": f"Bearer {blog['token']}"}
    queue = wait_until(lambda: [c for c in requests.get(
        f"{service.base}/api/v1/moderation/queue?post=retraites-cinq-points&limit=100", headers=headers,
        timeout=5).json()["items"] if c["content"] == "Et les carrières longues ?"], 15, what="scoring")
    assert queue[0]["post_title"] == page.title() and queue[0]["post_url"] == blog["origin"] + "/"  # for the card
    requests.post(f"{service.base}/api/v1/moderation/comments/{queue[0]['id']}/decision", headers=headers,
                  json={"action": "approve"}, timeout=5)
    page.reload()
    page.locator(".mod-pending").first.wait_for()
    published = page.locator(".mod-comment", has_text="Et les carrières longues ?")
    assert published.count() == 1 and "en attente" not in published.inner_text()  # once, as published
