"""One catalogue for every word a moderator or commenter reads, in French and English."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from service import i18n
from service.policy import HOLD_RULES, SPAM_RULES
from service.web.views import describe

TEMPLATES = Path(__file__).parents[2] / "service" / "web" / "templates"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(i18n.CATALOGUE))
def test_every_entry_says_the_same_thing_in_both_languages(key: str) -> None:
    entry = i18n.CATALOGUE[key]
    assert set(entry) == set(i18n.LANGUAGES) and all(value.strip() for value in entry.values())
    assert placeholders(entry["fr"]) == placeholders(entry["en"])


def test_every_rule_a_comment_can_carry_has_a_description_and_a_filter_label() -> None:
    emitted = SPAM_RULES | HOLD_RULES | {"trusted_commenter", "auto_approved", "spam", "toxicity", "links",
                                         "phone_number", "too_many_links"}
    assert emitted <= set(i18n.RULES)
    for rule in i18n.RULES:
        assert f"filter_{rule}" in i18n.CATALOGUE
        assert f"rule_{rule}" in i18n.CATALOGUE or rule == "time_trap"
    assert {"rule_time_trap_fast", "rule_time_trap_old"} <= set(i18n.CATALOGUE)


def test_templates_show_no_words_of_their_own() -> None:
    """Outside Jinja's {{ }} and {% %} and the tags, a template holds nothing but punctuation."""
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        text = re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", " ", text, flags=re.S)
        text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", " ", text, flags=re.S)
        words = re.findall(r"[^\W\d_]{2,}", text)
        assert words == [], f"{template.name} shows {words} without the catalogue"


@pytest.mark.parametrize(("reason", "fr", "en"), [
    ({"rule": "hold_word", "term": "connard", "field": "content", "start": 10, "end": 17,
      "detail": 'hold list: "connard" in content at 10'},
     "Liste d’attente : « connard » dans le texte", "Hold list: “connard” in the text"),
    ({"rule": "trusted_commenter", "count": 1, "detail": "1 earlier comment(s) approved: lower priority"},
     "1 commentaire(s) déjà approuvé(s) : priorité plus basse", "1 earlier comment(s) approved: lower priority"),
    ({"rule": "time_trap", "score": 1.2, "threshold": 3.0, "detail": "sent too fast: 1.2 s after the form was shown"},
     "Envoyé trop vite : 1.20 s après l’affichage du formulaire (minimum 3.00 s)",
     "Sent too fast: 1.20 s after the form was shown (at least 3.00 s)"),
    ({"rule": "honeypot", "shadow": True, "detail": "…"},
     "Champ piège rempli (un robot) (mode observation : aurait été classé indésirable)",
     "Hidden trap field filled in (a bot) (shadow mode: would have been filed as spam)"),
    ({"rule": "spam_wave", "count": 6, "threshold": 5, "detail": "…"},
     "Texte presque identique envoyé par 6 auteurs en une heure", "Near-identical text from 6 authors within the hour"),
])
def test_reasons_are_told_in_the_moderators_language(app: Flask, reason: dict[str, object], fr: str, en: str) -> None:
    for lang, expected in (("fr", fr), ("en", en)):
        with app.test_request_context():
            g.t = i18n.texts(lang)
            assert describe(reason) == expected


def test_the_moderation_api_answers_in_the_language_asked_for(client: FlaskClient, auth: dict[str, str]) -> None:
    def ask(lang: str) -> dict[str, object]:
        response = client.post("/api/v1/moderation/comments/x/decision", json={"action": "maybe", "extra": 1},
                               headers={**auth, "Accept-Language": lang})
        assert response.status_code == 422
        return dict(response.get_json())

    fr, en = ask("fr-FR,fr;q=0.9"), ask("en-GB")
    assert fr["message"] == "Décision invalide." and en["message"] == "Invalid decision."
    assert fr["errors"] == {"action": ["Doit être l’une de ces valeurs : approve, reject, spam."],
                            "extra": ["Champ inconnu."]}
    assert en["errors"] == {"action": ["Must be one of: approve, reject, spam."], "extra": ["Unknown field."]}
    queue = client.get("/api/v1/moderation/queue?limit=0", headers={**auth, "Accept-Language": "fr"}).get_json()
    assert queue["errors"] == {"limit": ["Doit être compris entre 1 et 1000."]}
    missing = client.get("/api/v1/moderation/comments/nope", headers={**auth, "Accept-Language": "fr"}).get_json()
    assert missing["message"] == "Ce commentaire n’existe pas."
    refused = client.get("/api/v1/moderation/queue", headers={"Authorization": "Bearer mod_x", "Accept-Language": "fr"})
    assert refused.get_json()["message"] == "Ce jeton n’est pas un jeton de modérateur valide."


def test_the_embedded_form_takes_its_words_from_the_catalogue(client: FlaskClient) -> None:
    script = client.get("/embed.js").get_data(as_text=True)
    assert "__TEXTS__" not in script
    assert i18n.CATALOGUE["embed_notice"]["fr"] in script and i18n.CATALOGUE["email"]["en"] in script
    etag = client.get("/embed.js").headers["ETag"]
    assert client.get("/embed.js", headers={"If-None-Match": etag}).status_code == 304


def test_a_message_the_catalogue_does_not_know_is_left_as_it_is() -> None:
    assert i18n.localize("Something new.", "fr") == "Something new."
    assert i18n.localize("Must be one of: a, b.", "fr") == "Doit être l’une de ces valeurs : a, b."
