"""A realistic mix of blog comments: French and English, short to long, some with links."""

from __future__ import annotations

import json
import random
from pathlib import Path

FR = ["Merci pour cet article très clair, j'ai appris beaucoup de choses.",
      "Je ne suis pas d'accord avec l'auteur sur la question des retraites.",
      "Quelqu'un a-t-il la source de ce chiffre ? Il me paraît élevé.",
      "Excellent reportage, bravo à la rédaction pour ce travail de fond.",
      "C'est exactement ce que je disais à mes collègues hier soir.",
      "La situation à Marseille est bien plus complexe que ce qui est décrit ici.",
      "Encore un article à charge, on connaît la ligne éditoriale de ce journal."]
EN = ["Thanks for this clear and well researched article.",
      "I disagree with the author on the economic analysis.",
      "Does anyone have a link to the original report?",
      "Great piece, looking forward to the follow-up."]
LINKS = ["Voir aussi https://www.insee.fr/fr/statistiques pour les chiffres.",
         "More here: https://en.wikipedia.org/wiki/Pension", "Source : https://www.legifrance.gouv.fr/"]


def comment(rng: random.Random) -> dict[str, str]:
    """One submission: 1 to 6 sentences, 70 % French, 15 % with a link."""
    pool = FR if rng.random() < 0.7 else EN
    text = " ".join(rng.choice(pool) for _ in range(rng.choice([1, 1, 2, 2, 3, 6])))
    if rng.random() < 0.15:
        text += " " + rng.choice(LINKS)
    return {"post_id": f"article-{rng.randint(1, 50)}", "author": rng.choice(["Léa", "Marc", "Sam", "Inès"]),
            "email": "EMAIL", "content": text}


def write_bodies(path: Path, n: int = 500, seed: int = 7) -> Path:
    rng = random.Random(seed)
    path.write_text("\n".join(json.dumps(comment(rng), ensure_ascii=False) for _ in range(n)) + "\n")
    return path


def texts(n: int, seed: int = 11) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [comment(rng) for _ in range(n)]


def write_perspective_bodies(path: Path, n: int = 500, seed: int = 9) -> Path:
    """``comments:analyze`` bodies as Coral Talk sends them, from the same comment mix."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        text = comment(rng)["content"]
        lines.append(json.dumps({"comment": {"text": text}, "doNotStore": True, "requestedAttributes": {"TOXICITY": {}},
                                 "languages": ["fr" if rng.random() < 0.7 else "en"]}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n")
    return path
