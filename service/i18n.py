"""The one catalogue of what people read: commenters (the form, the API's answers), moderators (the review page,
the moderation API's errors), in French (the default) and English. Nothing shown to a person is written elsewhere;
``tests/service/test_i18n.py`` fails on a key without both languages or a page string outside this table."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from flask import has_request_context, request, session

LANGUAGES = ("fr", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    # --- Commenters: the form and the submission API ---
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
    # --- Moderators: the moderation API's errors ---
    "moderator_token": {"fr": "Un jeton de modérateur est requis (Authorization: Bearer <jeton>).",
                        "en": "A moderator token is required (Authorization: Bearer <token>)."},
    "bad_moderator_token": {"fr": "Ce jeton n’est pas un jeton de modérateur valide.",
                            "en": "This token is not a valid moderator token."},
    "bad_site_credential": {"fr": "Cet identifiant n’est pas un identifiant de site valide.",
                            "en": "This credential is not a valid site credential."},
    "metrics_token": {"fr": "Un jeton de métriques ou de modérateur est requis (Authorization: Bearer <jeton>).",
                      "en": "A metrics or moderator token is required (Authorization: Bearer <token>)."},
    "metrics_forbidden": {"fr": "Ce jeton ne peut pas lire les métriques.",
                          "en": "This token may not read the metrics."},
    "too_many_tokens": {"fr": "Trop de jetons invalides depuis cette adresse ; réessayez plus tard.",
                        "en": "Too many invalid tokens from this address; try again later."},
    "invalid_query": {"fr": "Paramètres de requête invalides.", "en": "Invalid query."},
    "invalid_decision": {"fr": "Décision invalide.", "en": "Invalid decision."},
    "invalid_rule": {"fr": "Règle invalide.", "en": "Invalid rule."},
    "invalid_request": {"fr": "Requête invalide.", "en": "Invalid request."},
    "no_comment": {"fr": "Ce commentaire n’existe pas.", "en": "No such comment."},
    "no_author_rule": {"fr": "Cette règle d’auteur n’existe pas.", "en": "No such author rule."},
    "already_decided": {"fr": "Ce commentaire a déjà été décidé : il est {status}.",
                        "en": "This comment was already decided: it is {status}."},
    "unknown_cursor": {"fr": "Curseur inconnu.", "en": "Unknown cursor."},
    "not_integer": {"fr": "Ce n’est pas un nombre entier valide.", "en": "Not a valid integer."},
    "not_number": {"fr": "Ce n’est pas un nombre.", "en": "Not a number."},
    "rule_name": {"fr": "Un nom de règle.", "en": "A rule name."},
    "trust_by_email": {"fr": "On fait confiance à une adresse e-mail, pas à un réseau.",
                       "en": "Trust is given to an email address, not to a network."},
    "one_target": {"fr": "Donnez soit email, soit ip_prefix (un seul des deux).",
                   "en": "Give exactly one of email or ip_prefix."},
    "not_ip_prefix": {"fr": "Ce n’est ni une adresse IP ni un préfixe.", "en": "Not an IP address or prefix."},
    "prefix_lengths": {"fr": "Donnez une adresse ou un préfixe de {allowed}.",
                       "en": "Use an address or a prefix of {allowed}."},
    "csrf": {"fr": "Jeton CSRF absent ou invalide.", "en": "Missing or invalid CSRF token."},
    "decisions_body": {"fr": "Envoyez {action: approve|reject|spam, ids: [...], reason: toxic|off_topic|other}.",
                       "en": "Send {action: approve|reject|spam, ids: [...], reason: toxic|off_topic|other}."},
    "internal": {"fr": "Erreur interne.", "en": "Internal error."},
    # marshmallow's own messages, matched by their English text (see localize)
    "mm_required": {"fr": "Ce champ est obligatoire.", "en": "Missing data for required field."},
    "mm_null": {"fr": "Ce champ ne peut pas être nul.", "en": "Field may not be null."},
    "mm_string": {"fr": "Ce champ doit être du texte.", "en": "Not a valid string."},
    "mm_boolean": {"fr": "Ce champ doit valoir true ou false.", "en": "Not a valid boolean."},
    "mm_list": {"fr": "Ce champ doit être une liste.", "en": "Not a valid list."},
    "mm_type": {"fr": "Type de valeur invalide.", "en": "Invalid input type."},
    "mm_one_of": {"fr": "Doit être l’une de ces valeurs : {choices}.", "en": "Must be one of: {choices}."},
    "mm_range": {"fr": "Doit être compris entre {min} et {max}.",
                 "en": "Must be greater than or equal to {min} and less than or equal to {max}."},
    "mm_length": {"fr": "La longueur doit être comprise entre {min} et {max}.",
                  "en": "Length must be between {min} and {max}."},
    "mm_longer": {"fr": "Plus long que la longueur maximale {max}.", "en": "Longer than maximum length {max}."},
    "mm_shorter": {"fr": "Plus court que la longueur minimale {min}.", "en": "Shorter than minimum length {min}."},
    "mm_invalid": {"fr": "Valeur invalide.", "en": "Invalid value."},
    # --- Moderators: the review page ---
    "title": {"fr": "File de modération", "en": "Moderation queue"},
    "sign_in": {"fr": "Se connecter", "en": "Sign in"},
    "sign_out": {"fr": "Se déconnecter", "en": "Sign out"},
    "token": {"fr": "Jeton de modération", "en": "Moderator token"},
    "bad_token": {"fr": "Ce jeton n’est pas valide.", "en": "This token is not valid."},
    "too_many": {"fr": "Trop de tentatives, réessayez plus tard.", "en": "Too many attempts, try again later."},
    "status_pending": {"fr": "En attente", "en": "Pending"},
    "status_received": {"fr": "Non évalués", "en": "Not scored"},
    "status_spam": {"fr": "Indésirables", "en": "Spam"},
    "status_approved": {"fr": "Approuvés", "en": "Approved"},
    "status_rejected": {"fr": "Rejetés", "en": "Rejected"},
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
                   "o rejeter (hors sujet), s indésirable, c répondre, e modifier, u annuler, Échap fermer, ? aide",
             "en": "Shortcuts: j/k move, x select, a approve, r reject, t reject (toxic), o reject (off topic), "
                   "s spam, c reply, e edit, u undo, Escape close, ? help"},
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
    "filter_spam": {"fr": "Probablement indésirable", "en": "Likely spam"},
    "filter_toxicity": {"fr": "Probablement toxique", "en": "Likely toxic"},
    "filter_phone_number": {"fr": "Numéro de téléphone", "en": "Phone number"},
    "filter_links": {"fr": "Liens", "en": "Links"},
    "filter_too_many_links": {"fr": "Trop de liens", "en": "Too many links"},
    "filter_hold_word": {"fr": "Mot de la liste d’attente", "en": "Hold-list word"},
    "filter_block_word": {"fr": "Mot de la liste de blocage", "en": "Block-list word"},
    "filter_honeypot": {"fr": "Champ piège (robot)", "en": "Honeypot (bot)"},
    "filter_time_trap": {"fr": "Envoyé trop vite ou trop tard", "en": "Sent too fast or too late"},
    "filter_spam_wave": {"fr": "Vague de textes identiques", "en": "Wave of identical texts"},
    "filter_blocked_author": {"fr": "Auteur bloqué", "en": "Blocked author"},
    "filter_held_author": {"fr": "Auteur à retenir", "en": "Held author"},
    "filter_trusted_author": {"fr": "Auteur de confiance", "en": "Trusted author"},
    "filter_trusted_commenter": {"fr": "Commentateur de confiance", "en": "Trusted commenter"},
    "filter_auto_approved": {"fr": "Approuvé d’office", "en": "Approved automatically"},
    "filter_spam_discard": {"fr": "Classé indésirable d’office", "en": "Filed as spam automatically"},
    "filter_classifier_unavailable": {"fr": "Modèle indisponible", "en": "Model unavailable"},
    "reply": {"fr": "Répondre", "en": "Reply"},
    "edit": {"fr": "Modifier", "en": "Edit"},
    "save": {"fr": "Enregistrer", "en": "Save"},
    "publish_reply": {"fr": "Publier la réponse", "en": "Publish the reply"},
    "cancel": {"fr": "Annuler", "en": "Cancel"},
    "delete": {"fr": "Supprimer définitivement", "en": "Delete permanently"},
    "empty_spam": {"fr": "Vider les indésirables", "en": "Empty spam"},
    "approve_trust": {"fr": "Approuver et faire confiance", "en": "Approve and trust"},
    "author_menu": {"fr": "Auteur", "en": "Author"},
    "hold_email": {"fr": "Retenir ses commentaires (e-mail)", "en": "Hold their comments (email)"},
    "block_email": {"fr": "Bloquer (e-mail)", "en": "Block (email)"},
    "hold_address": {"fr": "Retenir son réseau (adresse /24 ou /64)",
                     "en": "Hold their network (address /24 or /64)"},
    "block_address": {"fr": "Bloquer son réseau (adresse /24 ou /64)",
                      "en": "Block their network (address /24 or /64)"},
    "edited": {"fr": "modifié par {who}", "en": "edited by {who}"},
    "original": {"fr": "Texte d’origine", "en": "Original text"},
    "moderator_reply": {"fr": "réponse d’un modérateur", "en": "a moderator’s reply"},
    "confirm_delete": {"fr": "Supprimer définitivement {n} commentaire(s) ? Cela ne peut pas être annulé.",
                       "en": "Delete {n} comment(s) permanently? This cannot be undone."},
    "confirm_empty_spam": {"fr": "Supprimer définitivement tous les indésirables ({n}) ?",
                           "en": "Delete all spam ({n}) permanently?"},
    "deleted": {"fr": "{n} supprimé(s) définitivement", "en": "{n} deleted permanently"},
    "replied": {"fr": "Réponse publiée", "en": "Reply published"},
    "saved": {"fr": "Modification enregistrée (texte d’origine conservé)", "en": "Edit saved (original kept)"},
    "author_marked_hold": {"fr": "Les commentaires de cet auteur seront retenus",
                           "en": "This author’s comments will be held"},
    "author_marked_block": {"fr": "Cet auteur est bloqué", "en": "This author is blocked"},
    "author_marked_trust": {"fr": "Cet auteur est de confiance", "en": "This author is trusted"},
    "failed": {"fr": "Échec : {why}", "en": "Failed: {why}"},
    "reply_unpublished": {"fr": "On ne répond qu’à un commentaire publié ou en attente.",
                          "en": "Only a published or waiting comment can be replied to."},
    "author_rule": {"fr": "Règle d’auteur inconnue.", "en": "Unknown author rule."},
    "no_email": {"fr": "Ce commentaire n’a pas d’adresse e-mail.", "en": "This comment has no email address."},
    "no_address": {"fr": "Ce commentaire n’a pas d’adresse IP.", "en": "This comment has no IP address."},
    "not_filed": {"fr": "Ce commentaire n’est pas encore évalué : réessayez dans un instant.",
                  "en": "This comment is not scored yet: try again in a moment."},
    "stats": {"fr": "Statistiques", "en": "Statistics"},
    "stats_title": {"fr": "Les {n} derniers jours", "en": "The last {n} days"},
    "stats_decided": {"fr": "décisions de vos modérateurs", "en": "decisions by your moderators"},
    "stats_auto": {"fr": "classés d’office (indésirables ou approuvés)",
                   "en": "filed automatically (spam or approved)"},
    "stats_median": {"fr": "délai médian avant décision", "en": "median time to a decision"},
    "stats_p90": {"fr": "délai pour 90 % des décisions", "en": "time to 90 % of decisions"},
    "stats_per_day": {"fr": "Commentaires par jour, selon leur sort", "en": "Comments per day, by outcome"},
    "stats_depth": {"fr": "Commentaires en attente, heure par heure", "en": "Comments waiting, hour by hour"},
    "stats_caught": {"fr": "Repérés par le modèle ou à la main", "en": "Caught by the model or by hand"},
    "stats_spam": {"fr": "Indésirables", "en": "Spam"},
    "stats_spam_split": {"fr": "{auto} classés d’office, {hand} à la main",
                         "en": "{auto} filed automatically, {hand} by hand"},
    "stats_toxic": {"fr": "Rejetés pour toxicité", "en": "Rejected as toxic"},
    "stats_toxic_split": {"fr": "{flagged} signalés par le modèle, {missed} repérés à la main seulement",
                          "en": "{flagged} flagged by the model, {missed} caught by hand only"},
    "stats_delay": {"fr": "Délai entre l’envoi et la décision", "en": "Time from submission to decision"},
    "stats_no_labels": {"fr": "Pas encore de décision sur 30 jours.", "en": "No decision in the last 30 days yet."},
    "outcome_approved": {"fr": "Approuvés à la main", "en": "Approved by hand"},
    "outcome_approved-auto": {"fr": "Approuvés d’office", "en": "Approved automatically"},
    "outcome_rejected": {"fr": "Rejetés", "en": "Rejected"},
    "outcome_spam": {"fr": "Indésirables (à la main)", "en": "Spam (by hand)"},
    "outcome_spam-auto": {"fr": "Indésirables (d’office)", "en": "Spam (automatically)"},
    "unit_day": {"fr": "j", "en": "d"},
    "people": {"fr": "Accès", "en": "Access"},
    "moderators": {"fr": "Modérateurs", "en": "Moderators"},
    "api_keys": {"fr": "Clés d’API", "en": "API keys"},
    "api_keys_help": {"fr": "Pour les clients Akismet et Perspective (une extension de blog, un outil).",
                      "en": "For Akismet and Perspective clients (a blog plugin, a tool)."},
    "name": {"fr": "Nom", "en": "Name"},
    "role": {"fr": "Rôle", "en": "Role"},
    "created": {"fr": "Créé le", "en": "Created"},
    "revoke": {"fr": "Révoquer", "en": "Revoke"},
    "you": {"fr": "vous", "en": "you"},
    "role_moderator": {"fr": "modérateur", "en": "moderator"},
    "role_admin": {"fr": "administrateur", "en": "admin"},
    "make_admin": {"fr": "administrateur (gère aussi les accès)", "en": "admin (also manages access)"},
    "give_access": {"fr": "Créer un jeton de modération", "en": "Create a moderator token"},
    "new_api_key": {"fr": "Créer une clé d’API", "en": "Create an API key"},
    "token_for": {"fr": "Jeton de modération pour {name}", "en": "Moderator token for {name}"},
    "api_key_for": {"fr": "Clé d’API pour {name}", "en": "API key for {name}"},
    "shown_once": {"fr": "affiché une seule fois : copiez-le maintenant et transmettez-le de façon sûre.",
                   "en": "shown once: copy it now and pass it on safely."},
    "revoked": {"fr": "Accès révoqué : il ne fonctionne plus, dès maintenant.",
                "en": "Access revoked: it stops working now."},
    "nothing_revoked": {"fr": "Rien à révoquer (déjà révoqué ?).", "en": "Nothing to revoke (already revoked?)."},
    "not_your_own": {"fr": "Vous ne pouvez pas révoquer le jeton avec lequel vous êtes connecté.",
                     "en": "You cannot revoke the token you are signed in with."},
    "bad_name": {"fr": "Un nom de 1 à 100 caractères imprimables.", "en": "A name of 1 to 100 printable characters."},
    "admins_only": {"fr": "Réservé aux administrateurs.", "en": "Admins only."},
    "confirm_unpublish": {"fr": "Ce commentaire est publié. Le retirer du site ?",
                          "en": "This comment is published. Take it off the site?"},
    "just_now": {"fr": "à l’instant", "en": "just now"},
    "on_post": {"fr": "sur", "en": "on"},
    "quote_of": {"fr": "En réponse à {author} :", "en": "Replying to {author}:"},
    "parent_gone": {"fr": "En réponse à un commentaire supprimé", "en": "Replying to a deleted comment"},
    "state_approved": {"fr": "approuvé", "en": "approved"},
    "state_rejected": {"fr": "rejeté", "en": "rejected"},
    "state_spam": {"fr": "indésirable", "en": "spam"},
    "state_pending": {"fr": "en attente", "en": "pending"},
    "state_received": {"fr": "non évalué", "en": "not scored"},
    "done_approve": {"fr": "{n} approuvé(s)", "en": "{n} approved"},
    "done_reject": {"fr": "{n} rejeté(s)", "en": "{n} rejected"},
    "done_spam": {"fr": "{n} marqué(s) indésirable(s)", "en": "{n} marked as spam"},
    "rule_honeypot": {"fr": "Champ piège rempli (un robot)", "en": "Hidden trap field filled in (a bot)"},
    "rule_time_trap_fast": {"fr": "Envoyé trop vite : {score} s après l’affichage du formulaire "
                                  "(minimum {threshold} s)",
                            "en": "Sent too fast: {score} s after the form was shown (at least {threshold} s)"},
    "rule_time_trap_old": {"fr": "Formulaire trop ancien : {score} s après son affichage (maximum {threshold} s)",
                           "en": "Form too old: {score} s after it was shown (at most {threshold} s)"},
    "rule_too_many_links": {"fr": "{count} liens (plus de {threshold})", "en": "{count} links (more than {threshold})"},
    "rule_hold_word": {"fr": "Liste d’attente : « {term} » dans {field}", "en": "Hold list: “{term}” in {field}"},
    "rule_block_word": {"fr": "Liste de blocage : « {term} » dans {field}", "en": "Block list: “{term}” in {field}"},
    "rule_spam_wave": {"fr": "Texte presque identique envoyé par {count} auteurs en une heure",
                       "en": "Near-identical text from {count} authors within the hour"},
    "rule_blocked_author": {"fr": "Auteur bloqué", "en": "Blocked author"},
    "rule_trusted_author": {"fr": "Auteur de confiance (approuvé s’il est peu risqué)",
                            "en": "Trusted author (approved when low-risk)"},
    "rule_held_author": {"fr": "Auteur à retenir", "en": "Author held for review"},
    "rule_trusted_commenter": {"fr": "{count} commentaire(s) déjà approuvé(s) : priorité plus basse",
                               "en": "{count} earlier comment(s) approved: lower priority"},
    "rule_auto_approved": {"fr": "Approuvé d’office : commentateur de confiance, risque {score} ≤ {threshold}",
                           "en": "Approved automatically: trusted commenter, risk {score} ≤ {threshold}"},
    "rule_links": {"fr": "Liens", "en": "Links"},
    "shadow_spam": {"fr": "(mode observation : aurait été classé indésirable)",
                    "en": "(shadow mode: would have been filed as spam)"},
    "shadow_hold": {"fr": "(mode observation : aurait été retenu)", "en": "(shadow mode: would have been held)"},
    "field_content": {"fr": "le texte", "en": "the text"},
    "field_author": {"fr": "le nom", "en": "the name"},
    "field_email": {"fr": "l’e-mail", "en": "the email"},
    "field_url": {"fr": "le site web", "en": "the website"},
    "field_ip": {"fr": "l’adresse IP", "en": "the IP address"},
    "lang_fr": {"fr": "français", "en": "French"},
    "lang_en": {"fr": "anglais", "en": "English"},
    "lang_other": {"fr": "autre", "en": "other"},
    # --- Commenters: the embedded list and form (embed.js) ---
    "embed_comments": {"fr": "Commentaires", "en": "Comments"},
    "embed_none": {"fr": "Aucun commentaire pour l’instant.", "en": "No comments yet."},
    "embed_leave": {"fr": "Laisser un commentaire", "en": "Leave a comment"},
    "embed_notice": {"fr": "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
                     "en": "Your email address will not be published. Required fields are marked *"},
    "embed_author": {"fr": "Nom", "en": "Name"},
    "embed_email": {"fr": "E-mail", "en": "Email"},
    "embed_url": {"fr": "Site web", "en": "Website"},
    "embed_content": {"fr": "Commentaire", "en": "Comment"},
    "embed_send": {"fr": "Publier le commentaire", "en": "Post comment"},
    "embed_reply": {"fr": "Répondre", "en": "Reply"},
    "embed_reply_to": {"fr": "Réponse à ", "en": "Reply to "},
    "embed_cancel": {"fr": "Annuler", "en": "Cancel"},
    "embed_sending": {"fr": "Envoi…", "en": "Sending…"},
    "embed_consent": {"fr": "Enregistrer mon nom, mon e-mail et mon site dans le navigateur pour mon prochain "
                            "commentaire.",
                      "en": "Save my name, email, and website in this browser for the next time I comment."},
    "embed_pending": {"fr": "Votre commentaire est en attente de modération. Il n’est visible que par vous.",
                      "en": "Your comment is awaiting moderation. Only you can see it."},
    "embed_failed": {"fr": "L’envoi a échoué, réessayez.", "en": "Sending failed, please try again."},
}

# The review page's filter of reasons ("Motif"): every rule a comment's reasons can name.
RULES = ("spam", "toxicity", "phone_number", "links", "too_many_links", "hold_word", "block_word", "honeypot",
         "time_trap", "spam_wave", "blocked_author", "held_author", "trusted_author", "trusted_commenter",
         "auto_approved", "spam_discard", "classifier_unavailable")

# embed.js's names for its words -> catalogue keys
EMBED = {"comments": "embed_comments", "none": "embed_none", "leave": "embed_leave", "notice": "embed_notice",
         "author": "embed_author", "email": "embed_email", "url": "embed_url", "content": "embed_content",
         "send": "embed_send", "reply": "embed_reply", "replyTo": "embed_reply_to", "cancel": "embed_cancel",
         "sending": "embed_sending", "received": "received", "failed": "embed_failed", "required": "required",
         "badEmail": "email", "badUrl": "url", "tooLong": "too_long", "consent": "embed_consent",
         "pending": "embed_pending"}


def language() -> str:
    """The request's preferred language among ours; French when it says nothing we speak."""
    if not has_request_context():
        return "fr"
    return request.accept_languages.best_match(LANGUAGES, default="fr") or "fr"


def page_language() -> str:
    """The moderator's choice (?lang=, kept in the session), else the browser's, else French."""
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return language()


def t(key: str, lang: str | None = None, **values: object) -> str:
    """A message in the request's language, with ``{placeholders}`` filled."""
    return CATALOGUE[key][lang or language()].format(**values)


def texts(lang: str) -> dict[str, str]:
    """Every entry in one language (the review page's ``g.t``)."""
    return {key: value[lang] for key, value in CATALOGUE.items()}


@cache
def embed_texts() -> str:
    """embed.js's words in both languages, as the JSON the script is served with."""
    return json.dumps({lang: {name: CATALOGUE[key][lang] for name, key in EMBED.items()} for lang in LANGUAGES},
                      ensure_ascii=False)


@cache
def _english_patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each English message that may reach us untranslated (marshmallow's own, a schema's fixed text), as a
    pattern whose ``{placeholders}`` match anything."""
    out = []
    keys = tuple(CATALOGUE)
    for key in keys[:keys.index("title")]:  # the API's messages, not the page's words
        value = CATALOGUE[key]
        parts = re.split(r"\{(\w+)\}", value["en"])
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((re.compile(f"^{pattern}$"), key))
    return out


def localize(message: str, lang: str) -> str:
    """An English message in ``lang`` when the catalogue knows it, else as it is."""
    if lang == "en":
        return message
    for pattern, key in _english_patterns():
        match = pattern.match(message)
        if match:
            return CATALOGUE[key][lang].format(**match.groupdict())
    return message


def localize_errors(errors: Any, lang: str) -> Any:
    """Every message of a (nested) marshmallow error dict in ``lang``."""
    if isinstance(errors, dict):
        return {k: localize_errors(v, lang) for k, v in errors.items()}
    if isinstance(errors, list):
        return [localize_errors(v, lang) for v in errors]
    return localize(errors, lang) if isinstance(errors, str) else errors
