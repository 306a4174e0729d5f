"""The review page's words, in French (default) and English."""

from __future__ import annotations

from flask import request, session

TEXTS: dict[str, dict[str, str]] = {
    "title": {"fr": "File de modération", "en": "Moderation queue"},
    "sign_in": {"fr": "Se connecter", "en": "Sign in"},
    "sign_out": {"fr": "Se déconnecter", "en": "Sign out"},
    "token": {"fr": "Jeton de modération", "en": "Moderator token"},
    "bad_token": {"fr": "Ce jeton n’est pas valide.", "en": "This token is not valid."},
    "too_many": {"fr": "Trop de tentatives, réessayez plus tard.", "en": "Too many attempts, try again later."},
    "pending": {"fr": "En attente", "en": "Pending"},
    "received": {"fr": "Non évalués", "en": "Not scored"},
    "spam": {"fr": "Indésirables", "en": "Spam"},
    "approved": {"fr": "Approuvés", "en": "Approved"},
    "rejected": {"fr": "Rejetés", "en": "Rejected"},
    "approve": {"fr": "Approuver", "en": "Approve"},
    "reject": {"fr": "Rejeter", "en": "Reject"},
    "reject_toxic": {"fr": "Toxique", "en": "Toxic"},
    "model": {"fr": "Modèle", "en": "Model"},
    "learned": {"fr": "appris de {n} décisions de vos modérateurs",
                "en": "learned from {n} of your moderators’ decisions"},
    "agreement": {"fr": "Accord du modèle avec vos décisions sur 30 jours",
                  "en": "Model agreed with your decisions, last 30 days"},
    "agreement_item": {"fr": "{lang} {pct} % sur {n}", "en": "{lang} {pct} % of {n}"},
    "shipped_model": {"fr": "livré, pas encore adapté à ce site", "en": "as shipped, not yet adapted to this site"},
    "reject_off_topic": {"fr": "Hors sujet", "en": "Off topic"},
    "mark_spam": {"fr": "Indésirable", "en": "Spam"},
    "select": {"fr": "Sélectionner", "en": "Select"},
    "post": {"fr": "Article", "en": "Post"},
    "reason": {"fr": "Motif", "en": "Reason"},
    "language": {"fr": "Langue", "en": "Language"},
    "search": {"fr": "Auteur ou e-mail", "en": "Author or email"},
    "filter": {"fr": "Filtrer", "en": "Filter"},
    "sort": {"fr": "Ordre", "en": "Order"},
    "risk": {"fr": "Plus risqués d’abord", "en": "Riskiest first"},
    "oldest": {"fr": "Plus anciens d’abord", "en": "Oldest first"},
    "newest": {"fr": "Plus récents d’abord", "en": "Newest first"},
    "any": {"fr": "Tous", "en": "Any"},
    "spam_score": {"fr": "Indésirable", "en": "Spam"},
    "toxicity_score": {"fr": "Toxicité", "en": "Toxicity"},
    "kind_insult": {"fr": "insulte", "en": "insult"},
    "kind_threat": {"fr": "menace", "en": "threat"},
    "kind_identity_attack": {"fr": "attaque identitaire", "en": "identity attack"},
    "kind_profanity": {"fr": "grossièreté", "en": "profanity"},
    "website": {"fr": "Site web", "en": "Website"},
    "links": {"fr": "Liens", "en": "Links"},
    "reasons": {"fr": "Motifs", "en": "Reasons"},
    "empty": {"fr": "Rien à modérer. Bravo !", "en": "Nothing to moderate. Well done!"},
    "more": {"fr": "Page suivante", "en": "Next page"},
    "undo": {"fr": "Annuler", "en": "Undo"},
    "done": {"fr": "Fait", "en": "Done"},
    "already": {"fr": "Déjà décidé par quelqu’un d’autre", "en": "Already decided by someone else"},
    "bulk": {"fr": "Sélection", "en": "Selection"},
    "help": {"fr": "Raccourcis : j/k se déplacer, x sélectionner, a approuver, r rejeter, t rejeter (toxique), "
                   "o rejeter (hors sujet), s indésirable, u annuler, ? aide",
             "en": "Shortcuts: j/k move, x select, a approve, r reject, t reject (toxic), o reject (off topic), "
                   "s spam, u undo, ? help"},
    "switch": {"fr": "English", "en": "Français"},
    "reply_to": {"fr": "En réponse à", "en": "Reply to"},
    "rule_spam": {"fr": "Probablement indésirable", "en": "Likely spam"},
    "rule_toxicity": {"fr": "Probablement toxique", "en": "Likely toxic"},
    "rule_phone_number": {"fr": "Numéro(s) de téléphone", "en": "Phone number(s)"},
    "signal_links": {"fr": "liens", "en": "links"},
    "signal_link_domains": {"fr": "plusieurs domaines", "en": "several link domains"},
    "signal_phone_number": {"fr": "numéro de téléphone", "en": "phone number"},
    "signal_messaging_handle": {"fr": "messagerie (WhatsApp, Telegram…)", "en": "messaging app (WhatsApp, Telegram…)"},
    "signal_obfuscated_link": {"fr": "lien déguisé", "en": "disguised link"},
    "signal_email_in_text": {"fr": "adresse e-mail dans le texte", "en": "email address in the text"},
    "signal_money_amount": {"fr": "somme d’argent", "en": "money amount"},
    "signal_capitals": {"fr": "majuscules", "en": "capitals"},
    "signal_repeated_characters": {"fr": "caractères répétés", "en": "repeated characters"},
    "signal_emoji": {"fr": "émojis", "en": "emoji"},
    "signal_length": {"fr": "longueur", "en": "length"},
    "rule_spam_discard": {"fr": "Classé indésirable d’office (seuil {threshold})",
                          "en": "Filed as spam automatically (threshold {threshold})"},
    "rule_classifier_unavailable": {"fr": "Le modèle n’a pas pu évaluer ce commentaire : à vous de juger",
                                    "en": "The model could not score this comment: your call"},
}


def page_language() -> str:
    """The moderator's choice (?lang=, kept in the session), else the browser's, else French."""
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in ("fr", "en"):
        return str(chosen)
    return request.accept_languages.best_match(("fr", "en"), default="fr") or "fr"


def texts(lang: str) -> dict[str, str]:
    return {key: value[lang] for key, value in TEXTS.items()}
