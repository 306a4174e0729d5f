"""Behavioural tests of the shipped model: minimum functionality, invariance, direction."""

from __future__ import annotations

import pytest

import classifier
from classifier.features import normalise

CIVIL = "Merci pour cet article très clair, j'ai appris beaucoup de choses."


@pytest.mark.parametrize("text", ["espèce de connard", "Ferme ta gueule, sale con.",
                                  "You are a stupid idiot and a piece of shit"])
def test_insults_are_toxic(model: classifier.Model, text: str) -> None:
    assert model.score(text).toxicity > 0.5


@pytest.mark.parametrize("text", [CIVIL, "Thanks for this clear and well researched article."])
def test_civil_comments_are_neither_spam_nor_toxic(model: classifier.Model, text: str) -> None:
    scores = model.score(text)
    assert scores.spam < 0.5 and scores.toxicity < 0.5
    assert scores.reasons == []


LOAN_SCAM = ("Besoin d'un prêt entre particuliers rapide et sérieux ? Je prête de 5 000 à 500 000 euros à 3 %. "
             "Contactez-moi sur WhatsApp au +33 6 12 34 56 78")


def test_a_french_loan_scam_with_a_whatsapp_number_is_spam(model: classifier.Model) -> None:
    scores = model.score(LOAN_SCAM)
    assert scores.spam > 0.5
    spam = next(r for r in scores.reasons if r["rule"] == "spam")
    assert {"phone_number", "messaging_handle"} & set(spam["signals"])  # the explanation names what pushed it


def test_removing_the_contact_details_lowers_spam(model: classifier.Model) -> None:
    without = LOAN_SCAM.split("Contactez")[0]
    assert model.score(LOAN_SCAM).spam > model.score(without).spam


def test_channel_promotion_is_spam(model: classifier.Model) -> None:
    assert model.score("Check out my channel and subscribe!! http://bit.ly/x3 free gift cards").spam > 0.9


@pytest.mark.parametrize("author", ["Jean", "Mohamed", "Kévin", "xX_dark_Xx"])
def test_the_authors_name_does_not_change_the_verdict(model: classifier.Model, author: str) -> None:
    base = model.score({"content": CIVIL, "author": "Marie"})
    other = model.score({"content": CIVIL, "author": author})
    assert (base.spam >= 0.5, base.toxicity >= 0.5) == (other.spam >= 0.5, other.toxicity >= 0.5)


def test_the_case_of_a_url_does_not_change_the_scores(model: classifier.Model) -> None:
    lower = model.score({"content": CIVIL, "url": "https://blog.example.fr"})
    upper = model.score({"content": CIVIL, "url": "HTTPS://BLOG.EXAMPLE.FR"})
    assert lower.spam == pytest.approx(upper.spam)


def test_adding_an_insult_raises_toxicity(model: classifier.Model) -> None:
    assert model.score(CIVIL + " Bande de connards.").toxicity > model.score(CIVIL).toxicity + 0.1


def test_adding_links_raises_spam(model: classifier.Model) -> None:
    links = " Visitez http://promo-casino.example et http://gagner-vite.example"
    assert model.score(CIVIL + links).spam > model.score(CIVIL).spam


@pytest.mark.parametrize("text", ["espèce de c0nn4rd", "espèce de c o n n a r d", "espèce de CONNAAAARD"])
def test_obfuscated_insults_are_caught(model: classifier.Model, text: str) -> None:
    assert model.score(text).toxicity > 0.5


def test_explanations_point_at_the_words_in_the_original_text(model: classifier.Model) -> None:
    text = "Franchement, espèce de C0NNARD, tu n'as rien compris."
    toxic = next(r for r in model.score(text).reasons if r["rule"] == "toxicity")
    assert any("connard" in term for term in toxic["terms"])  # normalised, to match and filter on
    assert "espèce de C0NNARD" in toxic["phrases"]  # as the commenter wrote it, for the moderator
    assert "espèce de C0NNARD" in [text[a:b] for a, b in toxic["spans"]]


@pytest.mark.parametrize(("text", "language"), [
    (CIVIL, "fr"), ("Thanks for the great article, it was very clear.", "en"), ("Спасибо за статью", "other"),
    ("", "other")])
def test_language_is_reported(model: classifier.Model, text: str, language: str) -> None:
    assert model.score(text).language == language


def test_reasons_name_the_terms_and_the_links(model: classifier.Model) -> None:
    scores = model.score({"content": "Espèce de connard, va voir http://a.example", "url": "https://b.example"})
    rules = {r["rule"]: r for r in scores.reasons}
    assert "toxicity" in rules and rules["toxicity"]["terms"]
    assert rules["links"]["domains"] == ["a.example", "b.example"]


def test_batch_and_single_scores_agree(model: classifier.Model) -> None:
    texts = [CIVIL, "espèce de connard", "subscribe to my channel http://x.example"]
    assert [s.to_dict() for s in model.score_many(texts)] == [model.score(t).to_dict() for t in texts]


@pytest.mark.parametrize("text", ["", " ", "a" * 65_525, "😀" * 1000, "مرحبا بكم في المقال", "\u200b\u202e test"])
def test_any_input_gets_probabilities(model: classifier.Model, text: str) -> None:
    scores = model.score(text)
    assert 0.0 <= scores.spam <= 1.0 and 0.0 <= scores.toxicity <= 1.0


def test_clearly_civil_comments_skip_the_sentence_encoder(model: classifier.Model) -> None:
    """The cascade: the fast heads settle what they are sure of; the encoder only sees the rest."""
    before = model.embedded
    model.score_many([CIVIL, "Thanks for this clear and well researched article."])
    assert model.embedded == before
    model.score_many(["espèce de connard", CIVIL, LOAN_SCAM])
    assert model.embedded == before + 2


THREAT = "Je sais où tu habites, je vais te tuer."
SLUR = "Les immigrés sont tous des parasites, dehors."


def test_sub_scores_name_the_kind_of_toxicity(model: classifier.Model) -> None:
    threat, insult, hate = (model.score(t).subscores for t in (THREAT, "Espèce de connard.", SLUR))
    assert set(threat) == {"insult", "threat", "identity_attack", "profanity"}
    assert threat["threat"] > insult["threat"] and threat["threat"] > hate["threat"]
    assert insult["insult"] > threat["insult"]
    assert hate["identity_attack"] > insult["identity_attack"] and hate["identity_attack"] > threat["identity_attack"]


@pytest.mark.parametrize("text", [CIVIL, THREAT, SLUR, "putain de merde"])
def test_sub_scores_never_exceed_toxicity(model: classifier.Model, text: str) -> None:
    scores = model.score(text)
    assert all(0 <= v <= scores.toxicity for v in scores.subscores.values())


# Written for these tests, in words the French comment-spam families do not use: a generalisation check.
FRENCH_SPAM_UNSEEN = [
    "Salut à tous, je recommande vivement Mme Aubert qui fait des prêts aux particuliers sans paperasse, elle "
    "répond sur WhatsApp au 07 12 34 56 78",
    "Voyante sérieuse, je lis votre avenir amoureux par téléphone, appelez vite le 0 899 12 34 56",
    "Le meilleur bookmaker du moment offre 300 euros de paris gratuits, inscription par ici https://bonus-paris.fr",
    "Je me faisais arnaquer par un faux broker, heureusement l'équipe RecupFonds m'a tout rendu, écrivez à "
    "recupfonds@gmail.com",
]
RISKY_FRENCH_HAM = [
    "La CAF m'a répondu au 32 30 après une heure d'attente, c'est lamentable pour un service public.",
    "Source : https://www.insee.fr/fr/statistiques — le taux de pauvreté a augmenté de 0,4 point.",
    "n'importe quoi cet article franchement, vous avez rien compris au dossier",
]


@pytest.mark.parametrize("text", FRENCH_SPAM_UNSEEN)
def test_french_comment_spam_in_new_words_is_spam(model: classifier.Model, text: str) -> None:
    assert model.score(text).spam > 0.5


@pytest.mark.parametrize("text", RISKY_FRENCH_HAM)
def test_risky_looking_french_ham_is_not_spam(model: classifier.Model, text: str) -> None:
    assert model.score(text).spam < 0.5


# One comment per French spam family, written for this test: the strongest reason for calling it spam
# must be something a moderator recognises — a phrase of the family or a signal it is known by — never
# a bare number or a fragment of one.
FAMILY_EXPLANATIONS = {
    "loan": ("Vous cherchez un prêt entre particuliers ? Je prête de 5 000 à 80 000 euros, dossier simple",
             ["pret", "particuliers"], []),
    "credit": ("Crédit sans justificatif accordé en 48h même fiché Banque de France, demandez votre simulation",
               ["credit", "justificatif", "fiche"], []),
    "marabout": ("Le grand marabout Djibril fait revenir l'être aimé, retour affectif immédiat, appelez le "
                 "07 58 44 12 90", ["marabout", "retour affectif", "etre aime"], ["phone_number"]),
    "clairvoyant": ("Voyant médium pur, flash gratuit sur votre avenir amoureux, consultation par téléphone",
                    ["voyant", "medium", "voyance"], []),
    "crypto_recovery": ("Victime d une arnaque crypto ? Notre cabinet récupère vos fonds perdus en 72h, contactez "
                        "recuperation.fonds@gmail.com", ["recupere", "fonds", "arnaque", "crypto"], ["email_in_text"]),
    "pharmacy": ("Achetez du viagra générique sans ordonnance, envoi discret et paiement sécurisé",
                 ["viagra", "ordonnance", "discret"], []),
    "casino": ("Casino en ligne avec bonus sans dépôt et tours gratuits, retrait rapide",
               ["casino", "bonus", "tours gratuits", "depot"], []),
    "adult": ("Des célibataires coquines près de chez toi cherchent un plan ce soir, photos privées sur "
              "https://plan-coquin.example", ["coquine", "celibataires", "photos privees"], ["links"]),
    "work_from_home": ("Travail à domicile, gagnez 2500 € par mois sans expérience, quelques heures par jour",
                       ["travail", "domicile", "gagnez", "par jour"], ["money_amount"]),
    "contact_bait": ("Pour plus d'infos ajoutez-moi sur Telegram, je réponds à tout le monde",
                     ["telegram", "ajoutez"], ["messaging_handle"]),
}


@pytest.mark.parametrize("family", sorted(FAMILY_EXPLANATIONS))
def test_the_strongest_spam_reason_is_a_phrase_a_moderator_recognises(model: classifier.Model, family: str) -> None:
    text, words, signals = FAMILY_EXPLANATIONS[family]
    spam = next(r for r in model.score(text).reasons if r["rule"] == "spam")
    (kind, name), = spam["top"].items()
    if kind == "phrase":
        folded = normalise(name)
        assert any(w in folded for w in words), f"{family}: top phrase « {name} », expected one of {words}"
    else:
        assert name in signals, f"{family}: top signal {name}, expected one of {signals}"
    assert all(not p.replace(" ", "").isdigit() for p in spam["phrases"])


def test_a_phone_number_is_one_span_labelled_as_such(model: classifier.Model) -> None:
    text = "Besoin d'un prêt entre particuliers ? Contactez M. Lemaire sur WhatsApp +33 6 39 98 41 27"
    spam = next(r for r in model.score(text).reasons if r["rule"] == "spam")
    assert [text[a:b] for a, b, kind in spam["signal_spans"] if kind == "phone_number"] == ["+33 6 39 98 41 27"]
    assert "prêt entre particuliers" in spam["phrases"]
    assert [text[a:b] for a, b in spam["spans"]] and not any(text[a:b].strip().isdigit() for a, b in spam["spans"])
