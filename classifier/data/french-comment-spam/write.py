"""French blog-comment spam and risky-looking ham, written for this project (see SOURCE.md).

No public labelled set of French comment spam exists that we know of, so the comments are
written here by hand: each *family* is one kind of comment (a loan scam told as a testimonial,
a reader quoting a public-service phone number, ...) with a few hand-written sentence shapes
and hand-picked fillers. ``python classifier/data/french-comment-spam/write.py`` expands every
family deterministically into ``comments.jsonl``; the family name travels with each row so
that cross-validation splits by family and near-copies never straddle a split.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
PER_FAMILY = {"spam": 48, "ham": 50}  # about as much risky-looking ham as spam
# How a reader may close a comment: added to the ham shapes marked {tail}.
TAILS = ["", " Bonne journée.", " Merci pour l'article.", " À suivre.", " C'est mon avis en tout cas.",
         " Qu'en pensez-vous ?", " Bref.", " Affaire à suivre..."]

# Shared fillers -------------------------------------------------------------------------------------
PHONES = ["+33 6 39 98 41 27", "06 12 47 85 90", "07.58.21.44.63", "+229 97 45 12 88", "+225 07 48 96 31 25",
          "0032 478 55 21 09", "+41 76 452 18 93", "+1 514 555 0198", "06-44-71-29-05", "+33 7 81 20 66 14",
          "zéro six, trente-neuf, quatre-vingt-dix-huit, quarante et un, vingt-sept",
          "zero sept 58 21 44 63", "0 6 1 2 4 7 8 5 9 0", "+237 6 77 41 25 80"]
HANDLES = ["WhatsApp", "Whatsapp", "WhatsApp uniquement", "Telegram", "Signal", "le Télégramme (Telegram)",
           "wa.me", "WhatsApp ou Telegram", "Viber", "WhatsApp (pas d'appel, message seulement)"]
NAMES = ["M. Lemaire", "Mme Rousseau", "M. Antoine Girard", "Mme Sophie Durand", "M. Delcourt", "Mme Fabienne Morel",
         "M. Philippe Arnaud", "Mme Claire Vasseur", "M. Jean-Marc Perrin", "Mme Nadia Benali"]
MAILS = ["pret.rapide.serieux@gmail.com", "financementprive24 arobase outlook point fr", "aide.credit@mail.com",
         "contact (at) pret-solidaire (dot) fr", "offrepretparticulier@yahoo.fr", "j.lemaire.finance@gmx.fr"]
SITES = ["https://pret-rapide.example", "http://credit-facile-france.example", "www.financement-express.example",
         "pret-particulier[.]example", "https://bit.ly/3pretok", "http://aide-financiere-urgente.example/contact"]


def spam(content: str, author: str = "", url: str = "") -> dict[str, str]:
    return {"label": "spam", "author": author, "url": url, "content": content}


def ham(content: str, author: str = "", url: str = "") -> dict[str, str]:
    return {"label": "ham", "author": author, "url": url, "content": content}


def fill(shapes: list[str], **slots: list[str]) -> list[str]:
    """Every shape with its slots filled, in a fixed shuffled order (several fillers per shape)."""
    rng = random.Random(len(shapes) * 7919 + sum(len(v) for v in slots.values()))
    out = []
    for shape in shapes:
        names = [n for n in slots if "{" + n + "}" in shape]
        combos = list(itertools.product(*(slots[n] for n in names)))
        rng.shuffle(combos)
        out += [shape.format(**dict(zip(names, combo, strict=True))) for combo in combos[:40]]
    rng.shuffle(out)
    return out


# Spam families ----------------------------------------------------------------------------------------
def loan_ad() -> list[dict[str, str]]:
    shapes = [
        "Vous cherchez un financement entre particuliers, vite et sans banque ? Taux {rate}, accord sous 48 heures. "
        "Joignez {name} par {handle} au {phone}",
        "Vous avez besoin d'un financement ? Je propose des prêts entre particuliers de 2 000 à {amount} à {rate}. "
        "Écrivez-moi : {mail}",
        "Offre de prêt entre particulier sérieuse et honnête, remboursement sur 12 à 240 mois. {name}, {handle} : {phone}",
        "PRÊT D'ARGENT RAPIDE sans frais de dossier !! Taux {rate}. Contact {handle} {phone}",
        "Particulier sérieux propose prêt de {amount} à toute personne honnête, fiché ou non. Contact : {mail}",
    ]
    return [spam(c) for c in fill(shapes, rate=["2%", "2 %", "3%", "1,5 %", "2,5% l'an"], name=NAMES, handle=HANDLES,
                                   phone=PHONES, amount=["500 000 €", "50 000 euros", "1 000 000 €", "80 000€"],
                                   mail=MAILS)]


def loan_testimonial() -> list[dict[str, str]]:
    shapes = [
        "Je tiens à remercier {name} qui m'a accordé un prêt de {amount} en 48h alors que toutes les banques me "
        "refusaient. Si vous êtes dans le besoin contactez-le sur {handle} : {phone}",
        "Bonjour à tous, après plusieurs arnaques j'ai enfin trouvé un prêteur honnête : {name}. J'ai reçu mes "
        "{amount} sur mon compte. Son mail : {mail}",
        "Témoignage : fiché à la Banque de France, j'ai quand même eu mon crédit de {amount} grâce à {name}. "
        "{handle} {phone}",
        "Merci merci {name} pour ce prêt entre particuliers, mon projet a pu voir le jour. Écrivez-lui : {mail}",
    ]
    return [spam(c) for c in fill(shapes, name=NAMES, amount=["15 000 €", "40 000 euros", "7 500€", "120 000 €"],
                                   handle=HANDLES, phone=PHONES, mail=MAILS)]


def credit_no_proof() -> list[dict[str, str]]:
    shapes = [
        "Crédit sans justificatif, même fiché FICP ou interdit bancaire ! Réponse immédiate sur {site}",
        "Rachat de crédit et crédit conso sans justificatif en {delay}, cliquez ici : {site}",
        "Vous êtes fiché ? Obtenez votre crédit sans enquête en {delay}. Dossier en ligne : {site}",
        "Mini crédit {amount} sans justificatif, versé en {delay} sur votre compte : {site}",
    ]
    return [spam(c, url=u) for c, u in zip(fill(shapes, site=SITES, delay=["24h", "2 heures", "48 h", "une journée"],
                                                 amount=["300 €", "500€", "1000 euros", "750 €"]),
                                            itertools.cycle(["", "https://credit-sans-justif.example", ""]), strict=False)]


def marabout_ad() -> list[dict[str, str]]:
    shapes = [
        "GRAND MARABOUT {who} : retour de l'être aimé en {days} jours, désenvoûtement, chance aux jeux. {handle} "
        "{phone}",
        "Voyant médium {who}, retour affectif rapide et définitif, résultats garantis. Appelez le {phone}",
        "Retour affectif immédiat, travail sérieux du grand maître {who}. Problèmes de couple, impuissance, "
        "protection. Contact {handle} : {phone}",
        "Maître {who}, marabout puissant du {country}, rituel d'amour, retour de l'être aimé. Paiement après "
        "résultat. {phone}",
        "Voyance sérieuse par médium {who} : amour, travail, argent. Première consultation offerte au {phone}",
    ]
    return [spam(c) for c in fill(shapes, who=["AGBOSSOU", "Kalou", "Djibril", "Sankara", "Vodoun Aziz", "Fadiga",
                                                "Professeur Mamadou"],
                                   days=["3", "7", "5", "72 heures, soit 3"], handle=HANDLES, phone=PHONES,
                                   country=["Bénin", "Sénégal", "Mali", "Togo", "Cameroun"])]


def marabout_testimonial() -> list[dict[str, str]]:
    shapes = [
        "Mon mari était parti avec une autre, grâce au grand maître {who} il est revenu en {days} jours ! Je vous le "
        "conseille : {handle} {phone}",
        "Je n'y croyais pas mais le travail du médium {who} a marché, mon ex est revenue. Son numéro : {phone}",
        "Merci au marabout {who} pour le retour de mon homme, je suis tellement heureuse. Contactez-le au {phone}",
        "Après des années de malchance, le voyant {who} m'a fait gagner au loto. {handle} : {phone}",
    ]
    return [spam(c) for c in fill(shapes, who=["AGBOSSOU", "Kalou", "Djibril", "Sankara", "Vodoun Aziz", "Fadiga"],
                                   days=["3", "7", "deux"], handle=HANDLES, phone=PHONES)]


def crypto_recovery() -> list[dict[str, str]]:
    shapes = [
        "J'ai perdu {amount} dans une fausse plateforme de trading. Heureusement {agency} m'a aidé à tout récupérer. "
        "Écrivez-leur : {mail}",
        "Victime d'une arnaque crypto ? {agency} récupère vos bitcoins perdus en quelques jours. {handle} {phone}",
        "Je recommande {agency} : ils ont récupéré mes {amount} volés par un faux courtier. Contact : {mail}",
        "Ne perdez plus espoir ! Récupération de fonds escroqués (crypto, forex, options binaires) par {agency}. "
        "{handle} : {phone}",
    ]
    return [spam(c) for c in fill(shapes, amount=["25 000 €", "3 BTC", "60 000 euros", "12 000 USDT"],
                                   agency=["CyberTrace Recovery", "l'agence FundBack", "Maître Lopez, hacker éthique",
                                           "Recovery Expert France", "l'équipe BlockRescue"],
                                   mail=["recovery.pro@protonmail.com", "fundback.help@gmail.com",
                                         "blockrescue (at) mail (dot) com"], handle=HANDLES, phone=PHONES)]


def trading_bot() -> list[dict[str, str]]:
    shapes = [
        "Je gagne {gain} par jour depuis chez moi avec ce robot de trading automatique, sans rien faire : {site}",
        "Investissez {stake} et recevez {gain} en une semaine, rendement garanti ! Rejoignez-nous sur {handle}",
        "Formation crypto gratuite : comment je suis passé de 0 à {gain} par mois. Lien dans mon profil {site}",
        "Placement sûr à {rate} par mois, capital garanti, places limitées : {handle} {phone}",
    ]
    return [spam(c) for c in fill(shapes, gain=["500 €", "300 euros", "1 200€", "10 000 € par mois"],
                                   stake=["250 €", "100€", "500 euros"], rate=["20 %", "15%", "30 %"],
                                   site=SITES, handle=HANDLES, phone=PHONES)]


def pharmacy() -> list[dict[str, str]]:
    shapes = [
        "Achetez {drug} sans ordonnance, livraison discrète en 48h, paiement sécurisé : {site}",
        "{drug} pas cher, générique 100 % efficace, sans ordonnance sur {site}",
        "Pharmacie en ligne : {drug} à prix cassé, -70 % aujourd'hui seulement ! {site}",
        "Problème d'érection ? {drug} livré chez vous sans prescription. Commandez sur {site}",
        "Perdez 10 kilos en un mois avec {diet}, résultats garantis ou remboursé : {site}",
    ]
    return [spam(c) for c in fill(shapes, drug=["Viagra", "Cialis", "Kamagra", "Tramadol", "Levitra", "du Xanax"],
                                   diet=["ces pilules minceur", "le thé brûle-graisse", "la gélule KetoSlim"],
                                   site=["https://pharma-discount.example", "www.medoc-sans-ordonnance.example",
                                         "http://bit.ly/pharma-fr"])]


def casino() -> list[dict[str, str]]:
    shapes = [
        "Bonus de bienvenue {bonus} sur le meilleur casino en ligne, retrait immédiat : {site}",
        "Machines à sous gratuites et jackpot quotidien, inscrivez-vous sur {site} avec le code {code}",
        "Pronostics foot sûrs à 100 %, j'ai gagné {gain} ce week-end ! Rejoins mon canal {handle}",
        "Paris sportifs : mes pronos VIP gagnants tous les jours, abonnement sur {handle} {phone}",
        "Meilleur site de paris sportifs, cote boostée et {bonus} offerts : {site}",
    ]
    return [spam(c) for c in fill(shapes, bonus=["200 %", "500 € ", "100 tours gratuits", "150%"],
                                   site=["https://casino-royal-fr.example", "www.jackpot-bonus.example",
                                         "http://paris-pronos.example"],
                                   code=["VIP2026", "BONUS500", "FR100"], gain=["2 400 €", "850 euros", "5 000€"],
                                   handle=["Telegram @pronos_surs", "Telegram", "WhatsApp", "Snapchat"],
                                   phone=PHONES)]


def adult() -> list[dict[str, str]]:
    shapes = [
        "Femmes seules près de chez vous cherchent rencontre discrète ce soir : {site}",
        "Plan cul gratuit et sans inscription dans ta ville, clique ici {site}",
        "Webcam coquine gratuite 24h/24, des milliers de filles en direct sur {site}",
        "Salut toi 😘 je suis {girl}, {age} ans, regarde mes photos privées sur {site}",
        "Rencontres adultes discrètes, {girl} t'attend sur {handle}",
    ]
    return [spam(c) for c in fill(shapes, site=["https://rencontre-chaude.example", "www.cam-gratuite.example",
                                                "http://bit.ly/xxrencontre"],
                                   girl=["Léa", "Jessica", "Chloé", "Manon", "Sarah"], age=["22", "25", "19", "31"],
                                   handle=["Snapchat", "Telegram", "WhatsApp"])]


def work_from_home() -> list[dict[str, str]]:
    shapes = [
        "Gagnez {gain} par mois depuis chez vous en travaillant 2 heures par jour, sans diplôme ! Infos : {site}",
        "Recrutement urgent : {job} à domicile, {gain} par mois. Envoyez votre CV sur {handle} {phone}",
        "Je suis maman au foyer et je gagne {gain} par mois avec mon téléphone. Demandez-moi comment sur {handle}",
        "Devenez {job} et gagnez {gain} net, formation offerte, contact {mail}",
    ]
    return [spam(c) for c in fill(shapes, gain=["3 000 €", "2500 euros", "4 000€", "1 800 €"],
                                   job=["testeur de produits", "saisie de données", "mise sous pli",
                                        "agent de notation d'avis"],
                                   site=SITES, handle=HANDLES, phone=PHONES,
                                   mail=["recrutement.domicile@gmail.com", "job-maison (at) outlook (point) fr"])]


def seo_praise() -> list[dict[str, str]]:
    praise = ["Super article, très instructif, merci pour le partage !", "Merci pour ces informations très utiles.",
              "Article très intéressant, je reviendrai sur votre blog.", "Bravo pour ce contenu de qualité.",
              "Très bon article, bien écrit et complet.", "Merci, c'est exactement ce que je cherchais.",
              "Excellent billet, j'ai appris beaucoup de choses.", "Je partage cet article avec mes amis, merci !"]
    authors = ["Plombier Paris 15 pas cher", "Serrurier urgence Lyon 24h/24", "Rachat de crédit meilleur taux",
               "Déménagement Marseille devis gratuit", "Voyance gratuite en ligne", "Achat followers Instagram",
               "Isolation à 1 euro", "Avocat divorce pas cher", "Casino en ligne France", "Vitrier Bordeaux"]
    sites = ["https://plombier-paris15-pascher.example", "https://serrurier-lyon-urgence.example",
             "https://meilleur-rachat-credit.example", "https://demenagement-marseille-devis.example",
             "https://voyance-gratuite-immediate.example", "https://followers-pas-cher.example",
             "https://isolation-1euro.example", "https://avocat-divorce-discount.example",
             "https://casino-top10.example", "https://vitrier-bordeaux-24h.example"]
    rng = random.Random(11)
    rows = []
    for i in range(PER_FAMILY["spam"]):
        k = i % len(authors)
        rows.append(spam(rng.choice(praise), author=authors[k], url=sites[k]))
    return rows


def contact_bait() -> list[dict[str, str]]:
    shapes = [
        "Je suis une femme sérieuse à la recherche d'une relation durable, écrivez-moi sur {handle} au {phone}",
        "Pour plus d'informations contactez-moi directement en privé sur {handle} : {phone}",
        "Ajoute-moi sur {handle} {phone} j'ai une proposition intéressante pour toi",
        "Je vends mon {item} à petit prix cause départ, contactez-moi au {phone} sur {handle}",
        "Quelqu'un pour une affaire urgente et très rentable ? Écrivez sur {handle} {phone}",
    ]
    return [spam(c) for c in fill(shapes, handle=HANDLES, phone=PHONES,
                                   item=["iPhone 16 neuf", "scooter", "chiot bouledogue", "PS5 sous blister"])]


def regional_spam() -> list[dict[str, str]]:
    shapes = [
        "Besoin d'argent une fois ? Prêt rapide en Belgique, septante euros de frais seulement. {handle} {phone}",
        "Prêt entre particuliers en Suisse, de 5 000 à huitante mille francs, taux 2 %. Contact {phone}",
        "Besoin d'un prêt pour ton char ou ta maison? Prêteur privé au Québec, pas d'enquête de crédit. "
        "Texte-moi au {phone}",
        "Grand marabout africain à Abidjan, mon frère ton problème est réglé en 3 jours. {handle} {phone}",
        "Ma sœur, tu cherches l'argent rapide ? Investis 50 000 FCFA et gagne 500 000 FCFA en une semaine, "
        "{handle} {phone}",
        "Magasiner un prêt? Taux imbattable, approbation en 24 h même avec un mauvais dossier. Courriel : {mail}",
    ]
    return [spam(c) for c in fill(shapes, handle=HANDLES, phone=PHONES, mail=MAILS)]


def giveaway() -> list[dict[str, str]]:
    shapes = [
        "Félicitations ! Vous avez été sélectionné pour gagner un {prize}. Réclamez-le ici : {site}",
        "Dernier jour pour recevoir votre {prize} gratuit, il suffit de répondre au questionnaire sur {site}",
        "Je viens de recevoir mon {prize} gratuitement grâce à ce site, foncez : {site}",
        "Carte cadeau {shop} de 500 € offerte aux 100 premiers : {site}",
    ]
    return [spam(c) for c in fill(shapes, prize=["iPhone 16 Pro", "bon d'achat de 1 000 €", "Samsung Galaxy",
                                                 "week-end à Paris"],
                                   shop=["Carrefour", "Amazon", "Leclerc", "Fnac"],
                                   site=["https://gagnant-officiel.example", "http://bit.ly/cadeau-fr",
                                         "www.jeu-concours-2026.example"])]


def visa_and_followers() -> list[dict[str, str]]:
    shapes = [
        "Obtenez votre visa {country} en 7 jours sans rendez-vous, dossier garanti. {handle} {phone}",
        "Achetez {n} abonnés Instagram réels à petit prix, livraison instantanée : {site}",
        "Boostez votre page Facebook : {n} likes pour 9,99 € sur {site}",
        "Contrat de travail et visa pour {country} disponibles, frais de dossier 300 €. Contact {mail}",
    ]
    return [spam(c) for c in fill(shapes, country=["Canada", "France", "Belgique", "États-Unis"],
                                   n=["1 000", "5000", "10 000"], handle=HANDLES, phone=PHONES,
                                   site=["https://abonnes-pas-chers.example", "www.boost-likes.example"], mail=MAILS)]


# Ham families: comments that look risky but are fine ---------------------------------------------------
def sources_with_links() -> list[dict[str, str]]:
    shapes = [
        "Pour ceux qui doutent, le texte de loi est ici : {link}. Lisez l'article 3, tout y est.{tail}",
        "Les chiffres de l'{org} disent le contraire : {link}. Le chômage a baissé de 0,3 point.",
        "Je vous conseille ce rapport de la Cour des comptes, très instructif : {link}{tail}",
        "Source : {link} (page 12). L'auteur de l'article résume bien.",
        "Petite correction : la réforme date de 2023, voir {link}{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, link=["https://www.legifrance.gouv.fr/loda/id/JORFTEXT000047445077",
                                               "https://www.insee.fr/fr/statistiques/7666",
                                               "https://www.service-public.fr/particuliers/vosdroits/F2366",
                                               "https://www.ccomptes.fr/fr/publications/rapport-public-annuel-2025",
                                               "https://www.vie-publique.fr/eclairage/19474"],
                                  org=["INSEE", "Insee", "OCDE", "Dares"])]


def prices_and_money() -> list[dict[str, str]]:
    shapes = [
        "Le litre de gazole est à {price} dans ma commune, c'est devenu intenable pour ceux qui roulent beaucoup.",
        "J'ai acheté mon appartement {amount} en 2019, il en vaudrait le double aujourd'hui selon l'agence.",
        "Avec un SMIC à {smic} net, comment voulez-vous payer un loyer de 900 € ?",
        "Notre crédit immobilier est à {rate} sur 25 ans, on a eu de la chance de signer avant la hausse.",
        "La facture d'électricité est passée de 80 € à {price2} par mois chez nous, merci le bouclier tarifaire...",
        "Les courses pour quatre personnes nous coûtent {price2} par semaine maintenant.{tail}",
        "Un plein à {price} le litre, c'est {amount2} pour ma voiture, je prends le train désormais.{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, amount2=["90 €", "plus de 100 euros", "85€"], price=["1,89 €", "1,92 euro", "2,05 €"],
                                  amount=["210 000 €", "185 000 euros", "320 000€"],
                                  smic=["1 426 €", "1 400 euros"], rate=["1,2 %", "3,9 %", "4,1%"],
                                  price2=["140 €", "125 euros", "160€"])]


def public_phone_numbers() -> list[dict[str, str]]:
    shapes = [
        "Si vous êtes victime de violences, appelez le {num}, c'est gratuit et anonyme.",
        "Pour les personnes isolées cet hiver, le {num} répond jour et nuit. Partagez autour de vous.",
        "J'ai appelé la CAF au 32 30 et j'ai attendu {minutes} minutes, bravo le service public.",
        "En cas d'urgence en mer composez le 196, pas le 112, le CROSS répond directement.",
        "SOS Amitié : 09 72 39 40 50, ils m'ont beaucoup aidé il y a quelques années.",
        "Le numéro de Info Escroqueries est le 0 805 805 817, gratuit, pour signaler une arnaque.",
        "Pour la mairie, le standard est au 04 78 12 34 56 de 9 h à 17 h, ils ont été très aimables.{tail}",
        "Le {num} m'a répondu en quelques minutes, je tenais à remercier les équipes.{tail}",
        "Allô Service Public, 39 39, peut vous renseigner sur vos droits.{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, num=["3919", "115", "119", "3114", "17", "112"],
                                  minutes=["45", "une heure et", "vingt"])]


def heated_argument() -> list[dict[str, str]]:
    shapes = [
        "C'est complètement faux, vous racontez n'importe quoi sur {topic}. Renseignez-vous avant d'écrire.",
        "Franchement cet article sur {topic} est d'une mauvaise foi incroyable, je résilie mon abonnement.",
        "Vous n'avez rien compris à {topic}, relisez le texte au lieu de répéter les slogans !",
        "Honteux. Encore un papier à charge sur {topic}, on attend mieux d'un journal sérieux.",
        "Je ne suis absolument pas d'accord avec vous sur {topic}, et je trouve votre ton méprisant.",
        "Arrêtez de nous prendre pour des idiots avec {topic}, les gens ne sont pas dupes !{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, topic=["la réforme des retraites", "les éoliennes", "l'immigration",
                                                "la limitation à 80 km/h", "le nucléaire", "la taxe foncière"])]


SLANG_TAILS = ["", " lol", " wsh", " jdis ça jdis rien", " grave", " serieux"]


def slang_no_accents() -> list[dict[str, str]]:
    shapes = [
        "mdr c trop vrai ce que tu dis, {x}{tail}",
        "jsuis dacc avec toi frr, {x}",
        "ptdr l'article est a cote de la plaque, {x}{tail}",
        "ouais bon faut pas abuser non plus, {x}",
        "tkt c deja arrive dans ma ville, {x}{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=SLANG_TAILS, x=["personne en parle", "les gens sont fous", "jpp de ces politiques",
                                            "ca sert a rien de rager", "on verra bien", "trop de blabla"])]


def scams_discussed() -> list[dict[str, str]]:
    shapes = [
        "Attention aux arnaques au {scam}, ma voisine a perdu {amount}. Ne donnez jamais d'argent d'avance.",
        "Encore des commentaires de {scam} sous les articles, la modération devrait les supprimer.",
        "Les faux {who} qui promettent le retour de l'être aimé exploitent la détresse des gens, c'est scandaleux.",
        "Ma mère a reçu un message WhatsApp d'un faux conseiller bancaire, j'ai signalé le numéro à la police.",
        "Il faut en parler : les arnaques au {scam} visent surtout les personnes âgées et isolées.",
        "Si quelqu'un vous propose un {scam} sur WhatsApp, c'est une escroquerie, signalez-le sur Pharos.{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, scam=["prêt entre particuliers", "faux placement crypto", "faux support",
                                               "colis non livré"],
                                  amount=["3 000 €", "ses économies", "12 000 euros"],
                                  who=["marabouts", "voyants", "médiums"])]


def personal_finance() -> list[dict[str, str]]:
    shapes = [
        "Nous avons demandé un {loan} à notre banque, refusé à cause du taux d'endettement. Quelqu'un a une solution "
        "légale ?",
        "Le {loan} de mon fils a été accepté après six mois de démarches, il faut vraiment un apport maintenant.",
        "Un courtier nous a fait économiser pas mal sur notre {loan}, je conseille de comparer.",
        "Attention, un {loan} à la consommation coûte vite cher, faites le calcul du TAEG.",
        "Avec les taux actuels, notre {loan} nous coûte 300 € de plus par mois qu'il y a deux ans.{tail}",
        "La banque exige désormais 10 % d'apport pour un {loan}, les jeunes sont exclus.{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, loan=["prêt immobilier", "crédit auto", "prêt étudiant", "rachat de crédit",
                                               "prêt à taux zéro"])]


def crypto_news() -> list[dict[str, str]]:
    shapes = [
        "Le bitcoin a dépassé {price}, bulle ou pas ? Je reste prudent, j'ai connu 2018.",
        "Les cryptomonnaies restent un pari, personne ne devrait y placer {share} de son épargne.",
        "L'AMF a publié une liste noire des sites de trading frauduleux, à consulter avant d'investir.",
        "Mon neveu a perdu {amount} sur une crypto obscure, il ne veut plus en entendre parler.",
        "La blockchain a des usages sérieux, mais le bitcoin à {price} reste de la spéculation.{tail}",
        "Avant d'investir dans les cryptos, vérifiez la liste noire de l'AMF.{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, price=["100 000 dollars", "90 000 €", "120 000 $"],
                                  share=["plus de 5 %", "l'essentiel", "la moitié"],
                                  amount=["2 000 €", "la moitié de son salaire", "800 euros"])]


def everyday_messaging() -> list[dict[str, str]]:
    shapes = [
        "Ma grand-mère utilise {app} pour voir ses petits-enfants en vidéo, ça a changé sa vie.",
        "Le groupe {app} des parents d'élèves est devenu invivable, on reçoit 200 messages par jour.",
        "Dans notre village on s'organise sur {app} pour le covoiturage, ça marche très bien.",
        "L'article oublie que {app} est chiffré de bout en bout, contrairement aux SMS.",
        "Je préfère qu'on m'écrive par mail que sur {app}, je ne suis pas toujours devant mon téléphone.{tail}",
        "Les escrocs se servent de {app} parce que c'est gratuit, mais l'appli n'y est pour rien.{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, app=["WhatsApp", "Signal", "Telegram", "Messenger"])]


def regional_ham() -> list[dict[str, str]]:
    shapes = [
        "Chez nous en Belgique on dit septante et nonante, et on ne s'en porte pas plus mal. {end}",
        "En Suisse romande la votation a été serrée, huitante pour cent de participation dans ma commune. {end}",
        "Icitte au Québec on a eu le même débat l'an passé, pis ça a rien changé. {end}",
        "À Dakar aussi les loyers explosent, les jeunes n'arrivent plus à se loger. {end}",
        "Ici à Abidjan on suit l'actualité française de près, merci pour cet article. {end}",
        "Je magasine mes cadeaux de Noël en ligne depuis des années, les commerces du centre-ville souffrent. {end}",
        "Au Cameroun comme au Sénégal, le mobile money a remplacé la banque pour beaucoup de familles. {end}",
        "Nous autres à Genève, on paie tout en francs, l'inflation nous touche moins. {end}",
    ]
    return [ham(c) for c in fill(shapes, end=["", "Bonne journée à tous.", "À méditer.", "Merci pour le débat.",
                                              "C'est mon avis."])]


def betting_and_health_discussed() -> list[dict[str, str]]:
    shapes = [
        "Les publicités pour les {thing} pendant les matchs devraient être interdites, elles ruinent des familles.",
        "Mon frère est addict aux {thing}, l'association {assoc} l'a beaucoup aidé.",
        "Mon médecin m'a prescrit du {drug} après l'opération, heureusement qu'on est suivi.",
        "Les pharmacies manquent encore de {drug}, c'est la troisième fois cet hiver.",
        "Acheter des médicaments sur internet sans ordonnance est dangereux, l'ANSM le rappelle souvent.{tail}",
        "Les {thing} en ligne ont explosé depuis la dernière Coupe du monde, c'est inquiétant.{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, thing=["paris sportifs", "jeux d'argent", "casinos en ligne"],
                                  assoc=["SOS Joueurs", "Joueurs Info Service"],
                                  drug=["Tramadol", "paracétamol", "l'amoxicilline"])]


def community_events() -> list[dict[str, str]]:
    shapes = [
        "La réunion publique sur le projet aura lieu {when} à la mairie, infos sur {link}{tail}",
        "Pour ceux que ça intéresse, la pétition est ici : {link}. Déjà 3 000 signatures.",
        "Le club organise une collecte de jouets {when}, plus d'infos sur {link}{tail}",
        "J'ai mis les photos de la manifestation sur mon blog : {link}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, when=["mardi à 19 h", "samedi matin", "le 12 décembre"],
                                  link=["https://www.ville-exemple.fr/agenda", "https://petitions.assemblee-nationale.fr",
                                        "https://club-sportif-exemple.fr", "https://monblog-photo.example/manif"])]


def reader_praise() -> list[dict[str, str]]:
    """Real readers' praise, sometimes with their own site: the same words as SEO spam, without the stuffing."""
    praise = ["Merci pour cet article très clair, enfin quelqu'un qui explique sans jargon.",
              "Super article, j'ai appris plein de choses sur l'histoire du quartier.",
              "Bravo à la journaliste pour cette enquête, c'est du vrai travail de terrain.",
              "Très bon papier, merci. J'attends la suite avec impatience.",
              "Merci pour le partage, je l'ai envoyé à ma sœur qui habite là-bas."]
    readers = [("Camille", ""), ("Jean-Pierre", ""), ("Nathalie B.", "https://nathalie-recettes.example"),
               ("Hugo", ""), ("Marie-Claude", ""), ("Karim", "https://photos-de-karim.example"), ("Sylvie", ""),
               ("Thomas", "https://thomas-randonnee.example"), ("Aïcha", ""), ("Bernard", "")]
    rng = random.Random(13)
    return [ham(p + t, author=a, url=u) for (a, u), p, t in
            ((readers[i % len(readers)], rng.choice(praise), rng.choice(TAILS[:4])) for i in range(60))]


def questions_and_corrections() -> list[dict[str, str]]:
    shapes = [
        "Pouvez-vous préciser la source du chiffre de {n} % cité dans le {where} ?{tail}",
        "Petite coquille dans le {where} : il faut lire {year}, pas {year2}.",
        "Merci pour l'article. Savez-vous si la mesure s'applique aussi aux {who} ?{tail}",
        "Une question à l'auteur : les {n} % concernent-ils la France entière ou seulement la région ?",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, n=["12", "30", "4,5", "70"], where=["deuxième paragraphe", "titre",
                                                                             "dernier graphique", "chapeau"],
                                  year=["2024", "2025"], year2=["2042", "2052"],
                                  who=["retraités", "travailleurs frontaliers", "étudiants boursiers", "auto-entrepreneurs"])]


def local_and_sports() -> list[dict[str, str]]:
    shapes = [
        "La route entre {town} et la nationale est fermée depuis trois semaines, personne ne nous prévient.{tail}",
        "Quel match hier soir ! {team} méritait largement la victoire, l'arbitre a été catastrophique.",
        "Le marché de {town} du samedi matin est une institution, j'espère qu'il ne va pas disparaître.{tail}",
        "{team} a encore perdu à domicile, il est temps de changer d'entraîneur.",
        "À {town} la nouvelle piste cyclable est une réussite, mes enfants vont à l'école à vélo.{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, town=["Rennes", "Villeurbanne", "Liège", "Lausanne", "Trois-Rivières",
                                               "Saint-Denis", "Cotonou"],
                                  team=["Le PSG", "L'OM", "Le Standard", "Le Servette", "Le Canadien", "Lens"])]


def hard_negatives() -> list[dict[str, str]]:
    """The spam families' words in ordinary comments: work from home, dating apps, lottery news, visas."""
    shapes = [
        "Je fais du télétravail {days} jours par semaine depuis le covid, je ne reviendrais pour rien au monde.",
        "Les applis de rencontre ont changé la façon dont les jeunes se rencontrent, pas forcément en mieux.",
        "Un habitant de {town} a gagné {amount} au loto, il a dit qu'il continuerait à travailler.",
        "Mon cousin attend son visa pour le Canada depuis {months} mois, les délais sont devenus absurdes.",
        "Ma fille a trouvé un job étudiant de saisie de données, payé au SMIC, rien de magique.",
        "On nous promet toujours de gagner de l'argent facilement, moi je crois au travail et à l'épargne.",
        "Les voyants à la télé la nuit, ça me fait rire, mais certains y croient vraiment.{tail}",
        "Le casino de {town} a rouvert, bonne nouvelle pour les emplois du coin.{tail}",
    ]
    return [ham(c) for c in fill(shapes, tail=TAILS, days=["deux", "trois", "quatre"], town=["Nantes", "Namur", "Sion", "Laval"],
                                  amount=["15 millions d'euros", "2 millions", "800 000 €"],
                                  months=["huit", "onze", "quatorze"])]


FAMILIES = {
    "spam/loan_ad": loan_ad, "spam/loan_testimonial": loan_testimonial, "spam/credit_no_proof": credit_no_proof,
    "spam/marabout_ad": marabout_ad, "spam/marabout_testimonial": marabout_testimonial,
    "spam/crypto_recovery": crypto_recovery, "spam/trading_bot": trading_bot, "spam/pharmacy": pharmacy,
    "spam/casino": casino, "spam/adult": adult, "spam/work_from_home": work_from_home, "spam/seo_praise": seo_praise,
    "spam/contact_bait": contact_bait, "spam/regional": regional_spam, "spam/giveaway": giveaway,
    "spam/visa_and_followers": visa_and_followers,
    "ham/sources_with_links": sources_with_links, "ham/prices_and_money": prices_and_money,
    "ham/public_phone_numbers": public_phone_numbers, "ham/heated_argument": heated_argument,
    "ham/slang_no_accents": slang_no_accents, "ham/scams_discussed": scams_discussed,
    "ham/personal_finance": personal_finance, "ham/crypto_news": crypto_news,
    "ham/everyday_messaging": everyday_messaging, "ham/regional": regional_ham,
    "ham/betting_and_health_discussed": betting_and_health_discussed, "ham/community_events": community_events,
    "ham/reader_praise": reader_praise, "ham/questions_and_corrections": questions_and_corrections,
    "ham/local_and_sports": local_and_sports, "ham/hard_negatives": hard_negatives,
}


def rows() -> list[dict[str, str]]:
    out = []
    for family, make in FAMILIES.items():
        seen: set[str] = set()
        for row in make():
            key = row["content"] + "\n" + row["author"] + "\n" + row["url"]
            if key not in seen and len(seen) < PER_FAMILY[row["label"]]:
                seen.add(key)
                out.append({"family": family, **row})
    return out


def main() -> None:
    with (HERE / "comments.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows():
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
