"""A blog without JavaScript (docs/no-javascript.md): a plain form, the service's 303 back, the notice and the errors
shown by examples/no-javascript/article.php, in Chromium with JavaScript turned off."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RELAXED_ENV
from tests.servers import RedisServer, ServiceProcess, answers, free_port, wait_until
from tests.web.test_review_page import CHROMIUM, FLAGS, playwright_api, pytestmark  # noqa: F401

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "no-javascript"


@pytest.fixture(scope="module")
def blog(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not shutil.which("php"):
        pytest.skip("php is not installed (.ci/run installs php-cli)")
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": f"nojs{uuid.uuid4().hex[:6]}",
           "MODERATION_ALLOWED_ORIGINS": origin, **RELAXED_ENV}
    service = ServiceProcess(tmp_path_factory.mktemp("nojs"), env).start()
    php = subprocess.Popen(["php", "-S", f"127.0.0.1:{port}", "-t", str(EXAMPLE)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env={**os.environ, "MODERATION_SERVICE_URL": service.base})
    wait_until(lambda: answers(f"{origin}/article.php"), 15, what="php -S")
    yield f"{origin}/article.php"
    php.terminate()
    php.wait(timeout=10)
    service.stop()



@pytest.fixture
def page() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser.new_context(locale="fr-FR", java_script_enabled=False).new_page()
        browser.close()


def test_the_notice_and_the_errors_come_back_to_a_page_without_javascript(page: Any, blog: str) -> None:
    page.goto(blog)
    page.get_by_label("Nom").fill("Rémi")
    page.get_by_label("E-mail").fill("remi@example.fr")
    page.get_by_label("Commentaire").fill("Merci, c'est clair.")
    page.get_by_role("button", name="Publier le commentaire").click()
    page.wait_for_url("**comment_status=awaiting_moderation**")
    assert page.get_by_role("status").inner_text() == "Votre commentaire est en attente de modération."

    page.goto(blog)
    page.get_by_label("Nom").fill("Rémi")
    page.get_by_label("E-mail").fill("remi2@example.fr")
    page.get_by_label("Site web").fill("ftp://pas-un-site")
    page.get_by_label("Commentaire").fill("Et les régimes spéciaux ?")
    page.get_by_role("button", name="Publier le commentaire").click()
    page.wait_for_url("**comment_status=validation_error**")
    assert page.get_by_role("alert").inner_text() == "Certains champs sont invalides."
    assert page.locator("#url-error").inner_text() == "Adresse web invalide (http ou https uniquement)."
