"""French-first messages for the people who post comments; English when their browser prefers it."""

from __future__ import annotations

from flask import has_request_context, request

LANGUAGES = ("fr", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "required": {"fr": "Ce champ est obligatoire.", "en": "This field is required."},
    "null": {"fr": "Ce champ ne peut pas être vide.", "en": "This field may not be null."},
    "blank": {"fr": "Ce champ ne peut pas être vide.", "en": "This field may not be blank."},
    "type_string": {"fr": "Ce champ doit être du texte.", "en": "This field must be a string."},
    "too_long": {"fr": "Ce champ ne doit pas dépasser {max} caractères.",
                 "en": "This field must be at most {max} characters long."},
    "email": {"fr": "Adresse e-mail invalide.", "en": "Not a valid email address."},
    "url": {"fr": "Adresse web invalide (http ou https uniquement).",
            "en": "Not a valid web address (http or https only)."},
    "unknown": {"fr": "Champ inconnu.", "en": "Unknown field."},
    "ip": {"fr": "Adresse IP invalide.", "en": "Not a valid IP address."},
    "parent": {"fr": "Le commentaire parent n’existe pas ou n’est pas publié sur cet article.",
               "en": "The parent comment does not exist or is not published on this post."},
    "control": {"fr": "Ce champ contient des caractères non autorisés.",
                "en": "This field contains characters that are not allowed."},
    "invalid_fields": {"fr": "Certains champs sont invalides.", "en": "Some fields are invalid."},
    "received": {"fr": "Votre commentaire est en attente de modération.",
                 "en": "Your comment is awaiting moderation."},
    "malformed": {"fr": "Le corps de la requête n’est pas un JSON valide.",
                  "en": "The request body is not valid JSON."},
    "not_object": {"fr": "Le corps de la requête doit être un objet JSON.",
                   "en": "The request body must be a JSON object."},
    "media_type": {"fr": "Type de contenu non pris en charge : utilisez application/json ou un formulaire.",
                   "en": "Unsupported content type: use application/json or a form."},
    "too_large": {"fr": "Le corps de la requête est trop volumineux ({max} octets au plus).",
                  "en": "The request body is too large (at most {max} bytes)."},
    "surrogate": {"fr": "Ce champ contient un demi-caractère UTF-16 isolé, qui n’est pas du texte.",
                  "en": "This field holds a lone UTF-16 surrogate, which is not text."},
    "too_slow": {"fr": "Le corps de la requête est arrivé trop lentement ; réessayez.",
                 "en": "The request body arrived too slowly; try again."},
    "flood": {"fr": "Vous commentez trop vite. Réessayez dans {seconds} secondes.",
              "en": "You are commenting too quickly. Try again in {seconds} seconds."},
    "duplicate": {"fr": "Commentaire en double : vous avez déjà envoyé ce commentaire.",
                  "en": "Duplicate comment: you have already sent this comment."},
    "forged": {"fr": "Jeton de formulaire invalide : rechargez la page.",
               "en": "Invalid form token: reload the page."},
    "idempotency_key": {"fr": "De 1 à 255 caractères imprimables.", "en": "1 to 255 printable characters."},
    "idempotency_reused": {"fr": "Cette clé a déjà servi avec un autre corps de requête.",
                           "en": "This key was already used with a different request body."},
    "unavailable": {"fr": "Service momentanément indisponible, réessayez dans un instant.",
                    "en": "Service temporarily unavailable, please retry shortly."},
}


def language() -> str:
    """The request's preferred language among ours; French when it says nothing we speak."""
    if not has_request_context():
        return "fr"
    return request.accept_languages.best_match(LANGUAGES, default="fr") or "fr"


def t(key: str, lang: str | None = None, **values: object) -> str:
    """A message in the request's language, with ``{placeholders}`` filled."""
    return MESSAGES[key][lang or language()].format(**values)
