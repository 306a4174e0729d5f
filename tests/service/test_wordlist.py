"""Word lists: whole words after normalisation, with the term and where it is."""

from __future__ import annotations

import pytest

from service.wordlist import WordLists

LISTS = WordLists({"block": ["fils de pute", "203.0.113."], "hold": ["cialis", "connard", "con"]})


@pytest.mark.parametrize(("text", "hits"), [
    ("Je suis spécialiste", []),
    ("specialist in cialis", [("hold", "cialis", "cialis")]),
    ("un concert, un conseil", []),
    ("C0NNNARD !", [("hold", "connard", "C0NNNARD")]),
    ("c.o.n.n.a.r.d", [("hold", "connard", "c.o.n.n.a.r.d")]),
    ("quel cönnard", [("hold", "connard", "cönnard")]),
    ("FILS   de PUTE", [("block", "fils de pute", "FILS   de PUTE")]),
    ("le con", [("hold", "con", "con")]),
])
def test_matches(text: str, hits: list[tuple[str, str, str]]) -> None:
    assert [(m.list, m.term, m.text) for m in LISTS.find(text)] == hits


def test_positions_point_into_the_original_text() -> None:
    text = "Bonjour, espèce de c0nnard."
    [match] = LISTS.find(text)
    assert text[match.start:match.end] == "c0nnard" and match.field == "content"


def test_ip_prefixes_match_the_commenters_address() -> None:
    assert [m.term for m in LISTS.find_ip("203.0.113.9")] == ["203.0.113."]
    assert LISTS.find_ip("198.51.100.1") == [] and LISTS.find_ip("not an ip") == []


def test_pathological_input_is_handled_in_one_pass() -> None:
    text = "c " * 30_000 + "o" * 5000
    assert LISTS.find(text) == []  # single letters that never spell an entry


def test_shipped_lists_load_and_spare_everyday_words() -> None:
    lists = WordLists.from_files()
    assert {m.list for m in lists.find("nique ta mère")} >= {"block"}
    for everyday in ("baiser la main", "une vente sale", "Vladimir Putin", "le spécialiste", "la manche"):
        assert lists.find(everyday) == [], everyday
