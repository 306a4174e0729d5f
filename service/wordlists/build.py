"""Rebuild hold.txt from the profanity lists in shared/data (run by hand, not at run time).

    python -m service.wordlists.build ../shared/data/profanity-wordlists

Everyday words that would hold ordinary news comments are left out (EXCLUDE), and
entries already on the block list are not repeated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from service.wordlist import phrase_key

HERE = Path(__file__).parent
SOURCES = ("ldnoobw/fr", "ldnoobw/fr-CA-u-sd-caqc", "ldnoobw/en", "french-badwords-list/list.txt")
EXCLUDE = {
    # French everyday or double-meaning words
    "baiser", "bander", "folle", "meuf", "gerbe", "jouir", "peter", "pipi", "caca", "tanche", "ramoner",
    "trique", "menage a trois", "suce", "tapette", "teuch", "sale", "coche", "manche", "gland", "magot", "pet",
    "punaise", "gourde", "epais", "tebe", "putin", "raton", "vier", "chauffard", "miserable", "minable", "minus",
    "crotte", "bite",
    # English words a news comment uses in earnest
    "sex", "sexual", "sexually", "sexuality", "sexy", "domination", "intercourse", "nude", "nudity", "rape",
    "raping", "rapist", "xx", "erotic", "escort", "genitals", "incest", "pedophile", "paedophile", "suck",
    "sucks", "trainee", "tit",
    "tied up", "undressing", "spastic", "voyeur", "lolita", "swastika", "white power", "grope",
}


def _leetish(word: str) -> bool:
    return any(ch in "013457@$!|€" for ch in word)


def build(root: Path) -> list[str]:
    block = {phrase_key(line) for line in (HERE / "block.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")}
    excluded = {phrase_key(word) for word in EXCLUDE}
    kept: dict[tuple[str, ...], str] = {}
    for name in SOURCES:
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            key = phrase_key(line)
            if not key or key in block or key in excluded:
                continue
            plain = line.strip().casefold()
            if key not in kept or (_leetish(kept[key]) and not _leetish(plain)):
                kept[key] = plain
    return sorted(set(kept.values()))


if __name__ == "__main__":
    entries = build(Path(sys.argv[1]))
    header = ("# Hold list: a match holds the comment for a human with the term shown (never auto-approved).\n"
              "# Built by service/wordlists/build.py from LDNOOBW (CC BY 4.0) and french-badwords-list (MIT);\n"
              "# see SOURCES.md. Entries are stored normalised.\n")
    (HERE / "hold.txt").write_text(header + "\n".join(entries) + "\n")
    print(f"wrote {len(entries)} entries")
