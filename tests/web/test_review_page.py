"""The review page in a real browser (Debian's headless Chromium driven by Playwright)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
import requests

from service import i18n
from service.auth import create_token
from service.keys import Keys
from service.store import CommentStore
from tests.conftest import RELAXED_ENV
from tests.servers import RedisServer, ServiceProcess, wait_until

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"),
                                reason="Debian's chromium is not installed (.ci/run installs it with apt)")


@pytest.fixture(scope="module")
def service(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    prefix = f"web{uuid.uuid4().hex[:8]}"
    env = {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_SECRET_KEY": "test-key",
           "MODERATION_TIME_ZONE": "Europe/Paris", **RELAXED_ENV}
    proc = ServiceProcess(tmp_path_factory.mktemp("web"), env).start()
    proc.prefix = prefix  # type: ignore[attr-defined]
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def tokens(service: ServiceProcess, redis_server: RedisServer) -> dict[str, str]:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    keys = Keys(service.prefix)  # type: ignore[attr-defined]
    made = {name: create_token(client, keys, name) for name in ("alice", "bob")}
    client.close()
    return made


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def submit(service: ServiceProcess, post: str, content: str, author: str = "Camille", **more: str) -> str:
    response = requests.post(f"{service.base}/api/v1/comments", timeout=5,
                             json={"post_id": post, "author": author, "email": f"{uuid.uuid4().hex[:6]}@example.fr",
                                   "content": content, **more})
    assert response.status_code == 202
    return str(response.json()["id"])


def status_of(service: ServiceProcess, token: str, comment_id: str) -> str:
    detail = requests.get(f"{service.base}/api/v1/moderation/comments/{comment_id}", timeout=5,
                          headers={"Authorization": f"Bearer {token}"})
    return str(detail.json()["status"])


def scored(service: ServiceProcess, token: str, *ids: str) -> None:
    for comment_id in ids:
        wait_until(lambda c=comment_id: status_of(service, token, c) != "received", timeout=15, what="scoring")


def public_ids(service: ServiceProcess, post: str) -> list[str]:
    return [c["id"] for c in requests.get(f"{service.base}/api/v1/posts/{post}/comments", timeout=5).json()["items"]]


@pytest.fixture
def page(browser: Any, service: ServiceProcess, tokens: dict[str, str]) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR")
    pg = context.new_page()
    pg.goto(f"{service.base}/moderation/")
    assert pg.url.endswith("/moderation/login")
    pg.get_by_label("Jeton de modération").fill(tokens["alice"])
    pg.get_by_role("button", name="Se connecter").click()
    pg.wait_for_url(f"{service.base}/moderation/")
    yield pg
    context.close()


def test_sign_in_with_a_wrong_token_is_refused(browser: Any, service: ServiceProcess) -> None:
    context = browser.new_context(locale="fr-FR")
    pg = context.new_page()
    pg.goto(f"{service.base}/moderation/login")
    pg.get_by_label("Jeton de modération").fill("mod_wrong")
    pg.get_by_role("button", name="Se connecter").click()
    assert pg.get_by_role("alert").inner_text() == "Ce jeton n’est pas valide."
    cookie = next(c for c in context.cookies() if c["name"] == "moderation_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    context.close()


def test_approve_with_the_keyboard(page: Any, service: ServiceProcess, tokens: dict[str, str]) -> None:
    comment_id = submit(service, "kb", "Merci pour cet article, très clair.")
    scored(service, tokens["alice"], comment_id)
    page.goto(f"{service.base}/moderation/?post=kb&sort=oldest")
    page.locator(f"#c-{comment_id}").wait_for()
    page.keyboard.press("a")
    page.locator(f"#c-{comment_id}").wait_for(state="detached")
    assert public_ids(service, "kb") == [comment_id]


def test_reject_by_click_and_undo(page: Any, service: ServiceProcess, tokens: dict[str, str]) -> None:
    rejected, undone = submit(service, "click", "Hors sujet."), submit(service, "click", "Je reviens.")
    scored(service, tokens["alice"], rejected, undone)
    page.goto(f"{service.base}/moderation/?post=click&sort=oldest")
    page.locator(f"#c-{rejected} button.reject").click()
    page.locator(f"#c-{rejected}").wait_for(state="detached")
    assert status_of(service, tokens["alice"], rejected) == "rejected"
    page.locator(f"#c-{undone} button.approve").click()
    page.locator(f"#c-{undone}").wait_for(state="detached")
    page.get_by_role("button", name="Annuler").click()
    page.locator(f"#c-{undone}").wait_for()  # back in the queue after the reload
    assert status_of(service, tokens["alice"], undone) == "pending"
    assert public_ids(service, "click") == []


def test_t_rejects_as_toxic_and_the_decision_becomes_a_label(
        page: Any, service: ServiceProcess, tokens: dict[str, str], redis_server: RedisServer) -> None:
    toxic, off_topic = submit(service, "why", "Espèce d'abruti, tais-toi."), submit(service, "why", "Et la météo ?")
    scored(service, tokens["alice"], toxic, off_topic)
    page.goto(f"{service.base}/moderation/?post=why&sort=oldest")
    page.locator(f"#c-{toxic}").wait_for()
    assert page.locator(".model-version").inner_text().startswith("Modèle 2.0.0 : livré, pas encore adapté à ce site")
    page.keyboard.press("t")
    page.locator(f"#c-{toxic}").wait_for(state="detached")
    page.locator(f"#c-{off_topic} button[data-reason=off_topic]").click()
    page.locator(f"#c-{off_topic}").wait_for(state="detached")
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    store = CommentStore(client, Keys(service.prefix))  # type: ignore[attr-defined]
    labels = {label["comment_id"]: label for label in store.labels.get([toxic, off_topic])}
    client.close()
    assert (labels[toxic]["toxic"], labels[toxic]["reason"], labels[toxic]["source"]) == (1, "toxic", "review")
    assert (labels[off_topic]["toxic"], labels[off_topic]["spam"], labels[off_topic]["reason"]) == (
        None, None, "off_topic")
    assert labels[toxic]["by"] == "alice" and labels[toxic]["scores"]["toxicity"] >= 0
    assert status_of(service, tokens["alice"], toxic) == "rejected"
    page.reload()
    agreement = page.locator(".agreement").inner_text()
    assert agreement.startswith("— Accord du modèle avec vos décisions sur 30 jours :") and " français " in agreement


def test_bulk_spam_three_comments(page: Any, service: ServiceProcess, tokens: dict[str, str]) -> None:
    ids = [submit(service, "bulk", f"Commentaire {i}") for i in range(3)]
    keep = submit(service, "bulk", "À garder")
    scored(service, tokens["alice"], *ids, keep)
    page.goto(f"{service.base}/moderation/?post=bulk&sort=oldest")
    page.locator(f"#c-{keep}").wait_for()
    for key in ["x", "j", "x", "j", "x"]:
        page.keyboard.press(key)
    assert page.locator("#selected-count").inner_text() == "3"
    page.get_by_role("toolbar").get_by_role("button", name="Indésirable").click()
    for comment_id in ids:
        page.locator(f"#c-{comment_id}").wait_for(state="detached")
        assert status_of(service, tokens["alice"], comment_id) == "spam"
    assert status_of(service, tokens["alice"], keep) == "pending"
    assert public_ids(service, "bulk") == []


def test_second_moderator_sees_the_comment_was_already_decided(page: Any, browser: Any, service: ServiceProcess,
                                                               tokens: dict[str, str]) -> None:
    comment_id = submit(service, "race", "Un avis.")
    scored(service, tokens["alice"], comment_id)
    page.goto(f"{service.base}/moderation/?post=race")
    page.locator(f"#c-{comment_id}").wait_for()
    requests.post(f"{service.base}/api/v1/moderation/comments/{comment_id}/decision", timeout=5,
                  headers={"Authorization": f"Bearer {tokens['bob']}"}, json={"action": "reject"})
    page.locator(f"#c-{comment_id} button.approve").click()
    page.locator(f"#c-{comment_id}.conflict").wait_for()
    assert "Déjà décidé" in page.locator(f"#c-{comment_id}").inner_text()
    assert status_of(service, tokens["alice"], comment_id) == "rejected"


def test_hostile_comment_text_stays_inert(page: Any, service: ServiceProcess, tokens: dict[str, str]) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    payload = ('<img src=x onerror="window.__xss=1;alert(1)"> <script>window.__xss=2;alert(2)</script> '
               '<a href="javascript:alert(3)">clic</a>')
    comment_id = submit(service, "xss", payload, author='<svg onload="window.__xss=3">')
    scored(service, tokens["alice"], comment_id)
    page.goto(f"{service.base}/moderation/?post=xss")
    card = page.locator(f"#c-{comment_id}")
    card.wait_for()
    assert "<script>window.__xss=2" in card.locator(".content").inner_text()  # shown as text
    assert card.locator("img, script, svg, .content a").count() == 0
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert "script-src 'self'" in requests.get(f"{service.base}/moderation/login", timeout=5).headers[
        "Content-Security-Policy"]


def test_state_changes_without_the_csrf_token_are_refused(page: Any, service: ServiceProcess,
                                                          tokens: dict[str, str]) -> None:
    comment_id = submit(service, "csrf", "Un avis.")
    scored(service, tokens["alice"], comment_id)
    url = f"{service.base}/moderation/decisions"
    refused = page.request.post(url, data={"ids": [comment_id], "action": "approve"})
    assert refused.status == 403
    forged = page.request.post(url, data={"ids": [comment_id], "action": "approve"},
                               headers={"X-CSRF-Token": "guess"})
    assert forged.status == 403
    assert status_of(service, tokens["alice"], comment_id) == "pending"
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    accepted = page.request.post(url, data={"ids": [comment_id], "action": "approve"}, headers={"X-CSRF-Token": csrf})
    assert accepted.status == 200 and status_of(service, tokens["alice"], comment_id) == "approved"


def test_english_switch_and_phone_layout_with_screenshots(page: Any, service: ServiceProcess,
                                                          tokens: dict[str, str], output_dir: Path) -> None:
    ids = [submit(service, "shots", text) for text in (
        "Merci pour cet article très clair, j'ai appris beaucoup.",
        "Espèce de connard, tu ne comprends rien à rien.",
        "Super article ! Visitez http://promo-casino.example pour gagner http://gagner.example")]
    scored(service, tokens["alice"], *ids)
    page.goto(f"{service.base}/moderation/?post=shots&sort=risk")
    page.locator(f"#c-{ids[1]}").wait_for()
    assert page.locator(f"#c-{ids[1]} mark").count() >= 1  # the words that pushed the verdict
    page.screenshot(path=str(output_dir / "review-queue.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(output_dir / "review-queue-phone.png"), full_page=True)
    page.goto(f"{service.base}/moderation/?post=shots&lang=en")
    assert page.get_by_role("heading", level=1).inner_text() == "Moderation queue"
    assert (output_dir / "review-queue.png").stat().st_size > 10_000


def test_a_loan_scam_card_marks_the_phrases_and_the_phone_number_whole(page: Any, service: ServiceProcess,
                                                                        tokens: dict[str, str]) -> None:
    scam = ("Besoin d'un prêt entre particuliers rapide et sérieux ? Taux 2%, réponse en 24h. "
            "Contactez M. Lemaire sur WhatsApp +33 6 39 98 41 27")
    comment_id = submit(service, "scam", scam)
    scored(service, tokens["alice"], comment_id)
    page.goto(f"{service.base}/moderation/?post=scam&status=spam")
    if page.locator(f"#c-{comment_id}").count() == 0:  # filed as spam or held, depending on the policy
        page.goto(f"{service.base}/moderation/?post=scam")
    card = page.locator(f"#c-{comment_id}")
    assert "prêt entre particuliers" in card.locator("mark:not(.signal)").all_inner_texts()
    phone = card.locator("mark.signal", has_text="+33")
    assert phone.inner_text() == "+33 6 39 98 41 27" and phone.get_attribute("title") == "numéro de téléphone"
    assert "« prêt entre particuliers »" in card.inner_text()
    assert not any(t.strip().isdigit() for t in card.locator("mark").all_inner_texts())  # never bare digits


def decide(service: ServiceProcess, token: str, comment_id: str, action: str) -> None:
    response = requests.post(f"{service.base}/api/v1/moderation/comments/{comment_id}/decision", timeout=5,
                             headers={"Authorization": f"Bearer {token}"}, json={"action": action})
    assert response.status_code == 200, response.text


FRENCH = {v["fr"] for v in i18n.CATALOGUE.values()}  # "English" is French too: the switch to the English page
ENGLISH_ONLY = [v["en"] for v in i18n.CATALOGUE.values() if "{" not in v["en"] and v["en"] not in FRENCH
                and len(v["en"]) > 3]


def english_in(text: str) -> list[str]:
    """The catalogue's English-only words and phrases found whole in ``text``."""
    return [w for w in ENGLISH_ONLY if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


def test_the_french_page_is_french_through_and_through(page: Any, service: ServiceProcess,
                                                       tokens: dict[str, str], output_dir: Path) -> None:
    """Reasons, filters, notices and times in French; the article and the parent named on the card."""
    parent = submit(service, "fr1", "Très bon article sur la réforme.", author="Léa", email="lea@example.fr")
    scored(service, tokens["alice"], parent)
    decide(service, tokens["alice"], parent, "approve")
    reply = submit(service, "fr1", "Espèce de connard, tu n'as rien compris.", author="Léa", email="lea@example.fr",
                   parent_id=parent, post_title="La réforme des retraites", post_url="https://blog.example/reforme")
    scored(service, tokens["alice"], reply)
    page.goto(f"{service.base}/moderation/?post=fr1")
    card = page.locator(f"#c-{reply}")
    card.wait_for()
    text = page.locator("body").inner_text()
    assert english_in(text) == []
    reasons = card.locator(".reasons").inner_text()
    assert "Liste d’attente : « connard » dans le texte" in reasons
    assert "1 commentaire(s) déjà approuvé(s) : priorité plus basse" in reasons
    assert "list:" not in reasons and "earlier comment" not in reasons
    article = card.get_by_role("link", name="La réforme des retraites")
    assert article.get_attribute("href") == "https://blog.example/reforme"
    assert card.locator("blockquote.parent").inner_text() == "En réponse à Léa : Très bon article sur la réforme."
    options = page.locator("select[name=reason] option").all()
    assert len(options) == len(i18n.RULES) + 1 and all(o.inner_text() != o.get_attribute("value") for o in options)
    # The time in the site's zone (Paris), and how long ago, as the blog shows it.
    created = requests.get(f"{service.base}/api/v1/moderation/comments/{reply}", timeout=5,
                           headers={"Authorization": f"Bearer {tokens['alice']}"}).json()["created_at"]
    paris = dt.datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/Paris"))
    shown = card.locator("time").inner_text()
    assert (shown.startswith("à l’instant") or shown.startswith("il y a")) and paris.strftime("%H:%M") in shown
    page.keyboard.press("a")  # the focused card: the riskiest, the reply
    page.locator("#toast-text").wait_for()
    assert page.locator("#toast-text").inner_text() == "1 approuvé(s)"
    for status in ["pending", "spam", "approved", "rejected", "received"]:
        page.goto(f"{service.base}/moderation/?status={status}")
        assert english_in(page.locator("body").inner_text()) == []
        page.screenshot(path=str(output_dir / f"review-{status}-fr.png"), full_page=True)
    page.goto(f"{service.base}/moderation/?status=approved&post=fr1&lang=en")
    assert "Hold list: “connard” in the text" in page.locator(f"#c-{reply} .reasons").inner_text()
    page.screenshot(path=str(output_dir / "review-approved-en.png"), full_page=True)


def test_unpublishing_asks_first_and_escape_closes_the_help(page: Any, service: ServiceProcess,
                                                            tokens: dict[str, str]) -> None:
    comment_id = submit(service, "safe", "Un avis publié.")
    scored(service, tokens["alice"], comment_id)
    decide(service, tokens["alice"], comment_id, "approve")
    page.goto(f"{service.base}/moderation/?status=approved&post=safe")
    page.locator(f"#c-{comment_id}").wait_for()
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.keyboard.press("r")
    wait_until(lambda: asked, timeout=5, what="a confirmation")
    assert asked == ["Ce commentaire est publié. Le retirer du site ?"]
    assert status_of(service, tokens["alice"], comment_id) == "approved" and public_ids(service, "safe") == [comment_id]
    page.once("dialog", lambda d: d.accept())
    page.keyboard.press("s")
    page.locator(f"#c-{comment_id}").wait_for(state="detached")
    assert status_of(service, tokens["alice"], comment_id) == "spam" and public_ids(service, "safe") == []
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()


def test_the_undo_notice_never_covers_a_cards_buttons(page: Any, service: ServiceProcess,
                                                      tokens: dict[str, str]) -> None:
    ids = [submit(service, "cover", f"Commentaire numéro {i}.") for i in range(8)]
    scored(service, tokens["alice"], *ids)
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(f"{service.base}/moderation/?post=cover&sort=oldest")
    page.locator(f"#c-{ids[-1]}").wait_for()
    for _ in range(6):
        page.keyboard.press("j")
    page.keyboard.press("a")  # the toast appears, the next card is focused
    page.locator("#toast-text").wait_for()
    covered = page.evaluate("""() => {
      const out = [];
      for (const b of document.querySelectorAll('.card.focused .actions button, .card .actions button')) {
        const r = b.getBoundingClientRect();
        if (r.bottom <= 0 || r.top >= innerHeight) continue;  // off screen
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (hit && !b.contains(hit) && document.getElementById('toast').contains(hit)) out.push(b.textContent);
      }
      return out;
    }""")
    assert covered == []
    focused = page.locator(".card.focused .actions button.approve").bounding_box()
    toast = page.locator("#toast").bounding_box()
    assert focused["y"] >= toast["y"] + toast["height"]  # the focused card's buttons are below the notice
