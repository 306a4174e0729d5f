"""Flood and rate limits cannot be dodged by moving inside one network or by writing one mailbox another way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.antiabuse import canonical_mailbox
from tests.conftest import comment_payload


@pytest.fixture
def strict(settings: dict[str, object]) -> Iterator[Flask]:
    """The production limits, behind one trusted proxy (the client address comes from X-Forwarded-For)."""
    app = create_app({**settings, "TESTING": True, "TRUSTED_PROXIES": 1, "FLOOD_SECONDS": 15.0, "RATE_BURST": 5,
                      "RATE_PER_MINUTE": 10.0, "RATE_NETWORK_BURST": 20, "RATE_NETWORK_PER_MINUTE": 30.0})
    yield app
    app.extensions["moderation.store"].redis.close()


def post(client: FlaskClient, ip: str, n: int, email: str | None = None) -> int:
    body = comment_payload(email=email or f"lecteur{n}@example.fr", content=f"Mon avis numéro {n} sur l'article.")
    return client.post("/api/v1/comments", json=body, headers={"X-Forwarded-For": ip}).status_code


def test_addresses_of_one_ipv4_slash_24_share_one_network_budget(strict: Flask) -> None:
    client = strict.test_client()
    answers = [post(client, f"203.0.113.{i}", i) for i in range(1, 31)]
    assert answers[:20] == [202] * 20  # the network's burst
    assert set(answers[20:]) == {429}  # before: all thirty accepted, each address with a budget of its own
    assert post(client, "203.0.114.1", 99) == 202  # the next network has its own


def test_every_address_of_an_ipv6_slash_64_is_one_commenter(strict: Flask) -> None:
    client = strict.test_client()
    assert post(client, "2001:db8:1:2::1", 1) == 202
    assert post(client, "2001:db8:1:2:ffff:ffff:ffff:fffe", 2) == 429  # same /64: the flood rule applies
    assert post(client, "2001:db8:1:3::1", 3) == 202


@pytest.mark.parametrize("variant", ["Lea.Martin+blog@gmail.com", "leamartin@googlemail.com",
                                     '"leamartin"@gmail.com', "LEAMARTIN@GMAIL.COM"])
def test_variants_of_one_mailbox_share_its_flood_budget(strict: Flask, variant: str) -> None:
    client = strict.test_client()
    assert post(client, "192.0.2.1", 1, email="leamartin@gmail.com") == 202
    assert post(client, "198.51.100.1", 2, email=variant) == 429


def test_ip_literal_domains_share_one_budget(strict: Flask) -> None:
    client = strict.test_client()
    assert post(client, "192.0.2.1", 1, email="x@[192.0.2.10]") == 202
    assert post(client, "198.51.100.1", 2, email="x@[192.0.2.11]") == 429


@pytest.mark.parametrize(("email", "mailbox"), [
    ("Jean.Dupont+news@Gmail.com", "jeandupont@gmail.com"),
    ("jean.dupont+news@orange.fr", "jean.dupont@orange.fr"),  # dots matter outside Gmail
    ('"jean\\"d"@example.fr', 'jean"d@example.fr'),
    ("a@[IPv6:2001:db8::1]", "a@[ip-literal]"),
])
def test_canonical_mailbox(email: str, mailbox: str) -> None:
    assert canonical_mailbox(email) == mailbox



@pytest.mark.parametrize("again", ["Exactement le même commentaire.\u200b!", "Exactement\u00ad le même, commentaire !!",
                                   "\ufeffEXACTEMENT le même commentaire\u2060", "exactement le meme commentaire"])
def test_invisible_characters_and_punctuation_do_not_dodge_the_duplicate_check(settings: dict[str, object],
                                                                               again: str) -> None:
    app = create_app({**settings, "TESTING": True, "DUPLICATE_DAYS": 30})  # flood and rate relaxed
    client = app.test_client()
    first = comment_payload(email="double@example.fr", content="Exactement le même commentaire.")
    assert client.post("/api/v1/comments", json=first).status_code == 202
    assert client.post("/api/v1/comments", json={**first, "content": again}).status_code == 409
    assert client.post("/api/v1/comments", json={**first, "content": "Un autre avis."}).status_code == 202
