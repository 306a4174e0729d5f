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
    page.locator("select[name=reason]").select_option(label="Mot de la liste d’attente")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**reason=hold_word**")
    assert [c.get_attribute("data-id") for c in page.locator(".card").all()] == [reply]  # the filter works
    page.goto(f"{service.base}/moderation/?post=fr1")
    card.wait_for()
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
    # The notice takes space kept for it in the sticky header: it overlays nothing below the header...
    toast, header = page.locator("#toast").bounding_box(), page.locator("header.top").bounding_box()
    assert toast["y"] >= header["y"] and toast["y"] + toast["height"] <= header["y"] + header["height"]
    # ...and the card in focus is scrolled below the header, each of its buttons reachable where it is drawn.
    hidden = page.evaluate("""() => Array.from(document.querySelectorAll('.card.focused .actions > button'))
      .filter((b) => { const r = b.getBoundingClientRect();
                       const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                       return !hit || !b.contains(hit); }).map((b) => b.textContent)""")
    assert hidden == []
    focused = page.locator(".card.focused .actions button.approve").bounding_box()
    assert focused["y"] >= header["y"] + header["height"]  # below the notice


def detail(service: ServiceProcess, token: str, comment_id: str) -> dict[str, Any]:
    answer = requests.get(f"{service.base}/api/v1/moderation/comments/{comment_id}", timeout=5,
                          headers={"Authorization": f"Bearer {token}"})
    return dict(answer.json()) if answer.status_code == 200 else {}


def public(service: ServiceProcess, post: str) -> list[dict[str, Any]]:
    return list(requests.get(f"{service.base}/api/v1/posts/{post}/comments", timeout=5).json()["items"])


def test_edit_before_approving_keeps_the_original(page: Any, service: ServiceProcess, tokens: dict[str, str],
                                                  redis_server: RedisServer) -> None:
    comment_id = submit(service, "edit", "Bon article. Mon site : http://promo.example/casino")
    scored(service, tokens["alice"], comment_id)
    page.goto(f"{service.base}/moderation/?post=edit")
    page.locator(f"#c-{comment_id}").wait_for()
    page.keyboard.press("e")
    editor = page.locator(f"#c-{comment_id} .editor textarea")
    editor.fill("Bon article.")
    page.get_by_role("button", name="Enregistrer").click()
    page.locator("#toast-text", has_text="Modification enregistrée").wait_for()
    assert page.locator(f"#c-{comment_id} .content").first.inner_text() == "Bon article."
    page.locator(f"#c-{comment_id} button.approve").click()
    page.locator(f"#c-{comment_id}").wait_for(state="detached")
    assert [c["content"] for c in public(service, "edit")] == ["Bon article."]
    stored = detail(service, tokens["alice"], comment_id)
    assert stored["original_content"] == "Bon article. Mon site : http://promo.example/casino"
    assert stored["edited_by"] == "alice"
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    audit = CommentStore(client, Keys(service.prefix)).audit_entries(100_000)  # type: ignore[attr-defined]
    client.close()
    assert any(e["comment_id"] == comment_id and e["reason"] == "edit" and e["actor"] == "alice" for e in audit)
    page.goto(f"{service.base}/moderation/?status=approved&post=edit")
    assert "modifié par alice" in page.locator(f"#c-{comment_id} .edited").inner_text()


def test_reply_as_the_moderator_approves_and_publishes_at_once(page: Any, service: ServiceProcess,
                                                               tokens: dict[str, str]) -> None:
    question = submit(service, "reply", "Quelle est la source de ce chiffre ?", author="Hugo")
    scored(service, tokens["alice"], question)
    page.goto(f"{service.base}/moderation/?post=reply")
    page.locator(f"#c-{question}").wait_for()
    page.keyboard.press("c")
    page.locator(f"#c-{question} .editor textarea").fill("L’INSEE, lien dans l’article.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the form's first button: publish
    page.locator(f"#c-{question}").wait_for(state="detached")
    assert page.locator("#toast-text").inner_text() == "Réponse publiée"
    published = public(service, "reply")
    assert [(c["author"], c["parent_id"]) for c in published] == [("Hugo", None), ("alice", question)]
    assert detail(service, tokens["alice"], published[1]["id"])["moderator_reply"] == "1"


def test_delete_for_good_asks_first_and_leaves_nothing(page: Any, service: ServiceProcess, tokens: dict[str, str],
                                                       redis_server: RedisServer) -> None:
    keep, doomed = submit(service, "del", "À garder."), submit(service, "del", "À effacer.")
    scored(service, tokens["alice"], keep, doomed)
    page.goto(f"{service.base}/moderation/?post=del&sort=oldest")
    page.locator(f"#c-{doomed}").wait_for()
    page.once("dialog", lambda d: d.dismiss())
    page.locator(f"#c-{doomed} button[data-do=delete]").click()
    assert detail(service, tokens["alice"], doomed)["status"] == "pending"
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.locator(f"#c-{doomed} button[data-do=delete]").click()
    page.locator(f"#c-{doomed}").wait_for(state="detached")
    assert asked == ["Supprimer définitivement 1 commentaire(s) ? Cela ne peut pas être annulé."]
    assert detail(service, tokens["alice"], doomed) == {} and detail(service, tokens["alice"], keep)["status"]
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    assert not [k for k in client.scan_iter(f"*{doomed}*")]
    client.close()


def test_block_and_trust_authors_from_the_card(page: Any, service: ServiceProcess, tokens: dict[str, str]) -> None:
    spammer = {"email": "vendeur@example.com", "author": "Vendeur"}
    fan = {"email": "fidele@example.fr", "author": "Fidèle"}
    first_spam = submit(service, "who", "Achetez mes montres.", **spammer)
    first_fan = submit(service, "who", "Très juste, merci.", **fan)
    scored(service, tokens["alice"], first_spam, first_fan)
    page.goto(f"{service.base}/moderation/?post=who&sort=oldest")
    page.locator(f"#c-{first_spam} .author-menu summary").click()
    page.locator(f"#c-{first_spam}").get_by_role("button", name="Bloquer (e-mail)").click()
    page.locator("#toast-text", has_text="Cet auteur est bloqué").wait_for()
    page.locator(f"#c-{first_fan}").get_by_role("button", name="Approuver et faire confiance").click()
    page.locator(f"#c-{first_fan}").wait_for(state="detached")
    again_spam = submit(service, "who", "Montres de luxe pas chères.", **spammer)
    again_fan = submit(service, "who", "Merci, très instructif.", **fan)  # low risk (a toxicity of 0.02)
    scored(service, tokens["alice"], again_spam, again_fan)
    assert status_of(service, tokens["alice"], again_spam) == "spam"
    assert status_of(service, tokens["alice"], again_fan) == "approved"  # trusted and low-risk: no waiting
    rules = requests.get(f"{service.base}/api/v1/moderation/authors", timeout=5,
                         headers={"Authorization": f"Bearer {tokens['alice']}"}).json()["items"]
    assert sorted(r["mode"] for r in rules if r["note"] in (f"from comment {first_spam}",
                                                             f"from comment {first_fan}")) == ["block", "trust"]


def test_empty_the_spam_tab(page: Any, service: ServiceProcess, tokens: dict[str, str]) -> None:
    ids = [submit(service, "empty", f"Pub {i}") for i in range(3)]
    scored(service, tokens["alice"], *ids)
    for comment_id in ids:
        decide(service, tokens["alice"], comment_id, "spam")
    page.goto(f"{service.base}/moderation/?status=spam")
    count = int(page.locator('[data-count="spam"]').inner_text())
    assert count >= 3
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.get_by_role("button", name="Vider les indésirables").click()
    page.wait_for_load_state()
    wait_until(lambda: page.locator('[data-count="spam"]').inner_text() == "0", timeout=10, what="an empty spam tab")
    assert asked == [f"Supprimer définitivement tous les indésirables ({count}) ?"]
    assert all(detail(service, tokens["alice"], c) == {} for c in ids)


def test_the_statistics_tab_draws_the_month(page: Any, service: ServiceProcess, tokens: dict[str, str],
                                            output_dir: Path) -> None:
    ids = [submit(service, "stats", text) for text in ("Merci.", "Espèce de connard.", "Achetez ici.")]
    scored(service, tokens["alice"], *ids)
    for comment_id, action in zip(ids, ["approve", "reject", "spam"], strict=True):
        decide(service, tokens["alice"], comment_id, action)
    page.goto(f"{service.base}/moderation/")
    page.get_by_role("link", name="Statistiques").click()
    page.get_by_role("heading", name="Les 30 derniers jours").wait_for()
    decided = int(page.locator(".figures p").first.locator("strong").inner_text())
    assert decided >= 3
    assert page.locator("#per-day rect.approved").count() >= 1 and page.locator("#per-day rect.spam").count() >= 1
    assert page.locator("#depth polyline").count() == 1 and page.locator("#delays rect").count() >= 1
    assert "Repérés par le modèle ou à la main" in page.locator("body").inner_text()
    assert english_in(page.locator("body").inner_text()) == []
    page.screenshot(path=str(output_dir / "review-stats-fr.png"), full_page=True)
    page.goto(f"{service.base}/moderation/stats?lang=en")
    page.get_by_role("heading", name="The last 30 days").wait_for()
    page.screenshot(path=str(output_dir / "review-stats-en.png"), full_page=True)


def sign_in(browser: Any, service: ServiceProcess, token: str) -> Any:
    pg = browser.new_context(locale="fr-FR").new_page()
    pg.goto(f"{service.base}/moderation/login")
    pg.get_by_label("Jeton de modération").fill(token)
    pg.get_by_role("button", name="Se connecter").click()
    pg.wait_for_url(f"{service.base}/moderation/")
    return pg


def test_an_admin_gives_and_takes_away_access_from_the_page(browser: Any, service: ServiceProcess,
                                                           tokens: dict[str, str], redis_server: RedisServer,
                                                           output_dir: Path) -> None:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    admin_token = create_token(client, Keys(service.prefix), "ada", "admin")  # type: ignore[attr-defined]
    client.close()
    admin = sign_in(browser, service, admin_token)
    admin.get_by_role("link", name="Accès").click()
    admin.get_by_role("heading", name="Modérateurs").wait_for()
    grant = admin.locator("form.grant").first
    grant.get_by_label("Nom").fill("Chloé")
    grant.get_by_role("button", name="Créer un jeton de modération").click()
    new_token = admin.locator("#new-secret").inner_text()
    assert new_token.startswith("mod_") and "affiché une seule fois" in admin.locator(".created").inner_text()
    assert new_token not in admin.url
    assert " CET" in admin.locator("table").first.inner_text()  # times in the site's zone (Europe/Paris)
    admin.screenshot(path=str(output_dir / "review-people-fr.png"), full_page=True)

    chloe = sign_in(browser, service, new_token)  # the new moderator signs in with it...
    assert chloe.get_by_role("link", name="Accès").count() == 0  # ...but is no admin
    assert chloe.request.get(f"{service.base}/moderation/people").status == 403
    admin.goto(f"{service.base}/moderation/people")
    admin.get_by_role("button", name="Révoquer Chloé").click()
    assert "Accès révoqué" in admin.get_by_role("alert").inner_text()
    chloe.goto(f"{service.base}/moderation/")
    assert chloe.url.endswith("/moderation/login")  # the session ended with its token

    keys = admin.locator("form.grant").nth(1)
    keys.get_by_label("Nom").fill("wp-plugin")
    keys.get_by_role("button", name="Créer une clé d’API").click()
    api_key = admin.locator("#new-secret").inner_text()

    def verify() -> str:
        return requests.post(f"{service.base}/1.1/verify-key", data={"key": api_key, "blog": "https://b.example"},
                             timeout=5).text

    assert verify() == "valid"
    admin.get_by_role("button", name="Révoquer wp-plugin").click()
    assert verify() == "invalid"
    moderator = sign_in(browser, service, tokens["bob"])
    assert moderator.request.post(f"{service.base}/moderation/people/api-keys", form={"name": "x"}, headers={
        "X-CSRF-Token": moderator.locator('meta[name="csrf-token"]').get_attribute("content")}).status == 403
    for pg in (admin, chloe, moderator):
        pg.context.close()
