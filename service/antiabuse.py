"""Redis-backed anti-abuse state: flood control, duplicates, spam waves, blocked and held authors.

Emails and IPs are never used as key names: they are HMAC'd with the service secret first.
Admission keys live in shard 0's slot ``{c}`` (see ``service.keys``), so the admission script
touches one Cluster slot; the duplicate mark lives with the comment, in its post's shard.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import time
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import redis

from classifier.features import normalise
from service.keys import Keys

_PRIME = (1 << 61) - 1
_RNG = np.random.default_rng(20261126)
_A = _RNG.integers(1, 1 << 31, size=32, dtype=np.int64)
_B = _RNG.integers(0, 1 << 31, size=32, dtype=np.int64)
BANDS, ROWS = 8, 4


class Refused(Exception):
    """A submission refused before storage: ``flood``/``rate`` (429) or ``duplicate`` (409)."""

    def __init__(self, kind: str, retry_after: float = 0.0):
        super().__init__(kind)
        self.kind = kind
        self.retry_after = retry_after


@dataclass(frozen=True)
class GuardSettings:
    flood_seconds: float = 15
    rate_per_minute: float = 10
    rate_burst: int = 5
    duplicate_days: int = 30
    wave_window_seconds: int = 3600
    wave_min_chars: int = 30
    network_per_minute: float = 30
    network_burst: int = 20
    ipv4_prefix: int = 24
    ipv6_prefix: int = 64


_DOTLESS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}  # providers that ignore dots in the name


def canonical_mailbox(email: str) -> str:
    """The mailbox an address delivers to, so that variants share one flood budget: case, a quoted name,
    a "+tag", dots in a Gmail name, and any IP-literal domain (``user@[192.0.2.1]``) are folded away."""
    name, _, domain = email.strip().rpartition("@")
    domain = domain.casefold().rstrip(".")
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    name = name.casefold().split("+", 1)[0]
    if domain in _DOTLESS:
        name, domain = name.replace(".", ""), _DOTLESS[domain]
    if domain.startswith("["):
        domain = "[ip-literal]"
    return f"{name}@{domain}"


def network_of(ip: str, ipv4_prefix: int, ipv6_prefix: int) -> tuple[str, str]:
    """(who, network): the address itself (an IPv6 address: its network, which one subscriber holds whole)
    and the network it shares a budget with."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip, ip
    network = str(ipaddress.ip_network(f"{addr}/{ipv4_prefix if addr.version == 4 else ipv6_prefix}", strict=False))
    return (str(addr) if addr.version == 4 else network), network


# Characters that show nothing: zero-width spaces and joiners, soft hyphens, direction marks, variation selectors.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
_WORDS = re.compile(r"[^\W_]+")
FOLD_VERSION = "2"  # part of every duplicate fingerprint: a new fold never matches marks made by the old one


def folded(text: str) -> str:
    """The text as near-duplicate and duplicate checks compare it: normalised words, without invisible
    characters or punctuation ("Bravo !" and "bravo\u200b!!" are one text); text without words keeps its symbols."""
    norm = normalise(_INVISIBLE.sub("", text))
    return " ".join(_WORDS.findall(norm)) or " ".join(norm.split())


def minhash(norm: str) -> np.ndarray:
    """32 MinHash values over character 5-grams of folded text, vectorised with numpy."""
    points = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(points) < 5:
        points = np.pad(points, (0, 5 - len(points)))
    width = len(points) - 4
    shingles = np.zeros(width, dtype=np.int64)
    for j in range(5):  # a polynomial hash of each 5-gram, exact in 64 bits for code points < 2^21
        shingles = (shingles * 1_114_111 + points[j:j + width]) % _PRIME
    base = np.unique(shingles) % (1 << 31)
    return ((_A[:, None] * base[None, :] + _B[:, None]) % _PRIME).min(axis=1)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Admission:
    """The anti-abuse part of a submission: admit.lua's keys and arguments, and the duplicate check's."""

    keys: list[str]  # flood address, flood mailbox, address bucket, network bucket, authors hash, wave bands
    args: list[str]  # checks, flood ms, bucket capacity and refill, author digest, wave window, rule candidates,
    #                  network bucket capacity and refill (see admit.lua)
    fingerprint: str  # of (post, email, folded text): the duplicate mark's name in the post's shard
    duplicate_seconds: int


class Guard:
    """Anti-abuse checks for one deployment (one prefix, one secret)."""

    def __init__(self, client: redis.Redis, prefix: str, secret: str, settings: GuardSettings, shards: int = 1):
        self.redis = client
        self.keys = Keys(prefix, shards)
        self.base = self.keys.base
        self.secret = secret.encode()
        self.settings = settings

    def digest(self, value: str) -> str:
        """A keyed hash of personal data (email, IP), usable for look-ups, useless to a reader."""
        return hmac.new(self.secret, value.strip().casefold().encode(), hashlib.sha256).hexdigest()[:32]

    def flood_email_key(self, email_digest: str) -> str:
        return f"{self.base}:flood:email:{email_digest}"

    def _fingerprint(self, post_id: str, email: str, norm: str) -> str:
        return self.digest(f"{FOLD_VERSION}\n{post_id}\n{canonical_mailbox(email)}\n{norm}")

    def mailbox_digest(self, email: str) -> str:
        """The flood budget's name for an email: every variant of one mailbox shares it."""
        return self.digest(canonical_mailbox(email))

    def _flood_keys(self, email: str, who: str) -> list[str]:
        return [f"{self.base}:flood:ip:{self.digest(who)}", self.flood_email_key(self.mailbox_digest(email))]

    def _client(self, ip: str) -> tuple[str, str]:
        return network_of(ip, self.settings.ipv4_prefix, self.settings.ipv6_prefix)

    def admission(self, post_id: str, email: str, ip: str, content: str, checks: bool = True) -> Admission:
        """Keys and arguments for admit.lua (flood, rate, author rule, wave) and the duplicate check."""
        s = self.settings
        norm = folded(content)
        wave_keys = []
        if len(content.strip()) >= s.wave_min_chars:
            bands = minhash(norm).reshape(BANDS, ROWS)
            wave_keys = [f"{self.base}:wave:{i}:{zlib.crc32(band.tobytes()):08x}" for i, band in enumerate(bands)]
        candidates = [f"email:{self.digest(email)}"] + [f"ip:{p}" for p in ip_prefixes(ip)]
        who, network = self._client(ip)
        keys = [*self._flood_keys(email, who), f"{self.base}:bucket:{self.digest(who)}",
                f"{self.base}:bucket:net:{self.digest(network)}", self.authors_key, *wave_keys]
        args = ["1" if checks else "0", str(int(s.flood_seconds * 1000)), str(s.rate_burst),
                repr(s.rate_per_minute / 60_000), self.digest(email), str(s.wave_window_seconds),
                json.dumps(candidates), str(s.network_burst), repr(s.network_per_minute / 60_000)]
        return Admission(keys, args, self._fingerprint(post_id, email, norm), s.duplicate_days * 86400)

    def release(self, post_id: str, email: str, ip: str, content: str) -> None:
        """Forget an admission whose answer was lost, so that a retry is not refused."""
        duplicate = self.keys.duplicate(post_id, self._fingerprint(post_id, email, folded(content)))
        self.redis.delete(*self._flood_keys(email, self._client(ip)[0]), duplicate)

    # -- blocked and held authors -----------------------------------------------------------------
    @property
    def authors_key(self) -> str:
        return f"{self.base}:authors"

    def set_author(self, mode: str, by: str, email: str | None = None, ip_prefix: str | None = None,
                   note: str | None = None) -> dict[str, Any]:
        """Mark an author (by email hash or IP prefix) as always-hold or blocked."""
        entry_id = f"email:{self.digest(email)}" if email else f"ip:{ip_prefix}"
        record = {"id": entry_id, "mode": mode, "note": note or "", "by": by,
                  "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        self.redis.hset(self.authors_key, entry_id, json.dumps(record))
        return record

    def list_authors(self) -> list[dict[str, Any]]:
        return sorted((json.loads(v) for v in self.redis.hvals(self.authors_key)), key=lambda r: r["at"])

    def delete_author(self, entry_id: str) -> bool:
        return bool(self.redis.hdel(self.authors_key, entry_id))


def ip_prefixes(ip: str | None) -> list[str]:
    """The address itself and the prefixes an operator may block: IPv4 /24 and /16, IPv6 /64 and /48."""
    if not ip:
        return []
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return []
    lengths = (24, 16) if addr.version == 4 else (64, 48)
    return [str(addr)] + [str(ipaddress.ip_network(f"{addr}/{n}", strict=False)) for n in lengths]
