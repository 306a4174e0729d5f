"""Redis-backed anti-abuse state: flood control, duplicates, spam waves, blocked and held authors.

Emails and IPs are never used as key names: they are HMAC'd with the service secret first.
Admission keys live in shard 0's slot ``{c}`` (see ``service.keys``), so the admission script
touches one Cluster slot; the duplicate mark lives with the comment, in its post's shard. Only
flood, rate and duplicates are checked in the request; spam waves and author rules are facts
the scoring worker looks up for a whole batch at once (``Guard.facts``).
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
from pathlib import Path
from typing import Any

import numpy as np
import redis
from redis.cluster import RedisCluster

from service.keys import Keys
from service.textfold import FOLD_VERSION, folded

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
    """What the request checks in Redis: admit.lua's keys and arguments, and the duplicate mark."""

    keys: list[str]  # flood address, flood mailbox, address bucket, network bucket
    args: list[str]  # flood ms, address bucket capacity and refill, network bucket capacity and refill
    fingerprint: str  # of (post, email, folded text): the duplicate mark's name in the post's shard
    duplicate_seconds: int  # 0: no duplicate check
    checks: bool  # flood and rate apply (not to machine clients that moderate for a whole blog)


@dataclass(frozen=True)
class Facts:
    """What shared state says about a comment when it is scored: its spam wave and its author's rule."""

    wave: int
    author_rule: dict[str, Any] | None


_WAVE = (Path(__file__).parent / "wave.lua").read_text()


class Guard:
    """Anti-abuse state for one deployment (one prefix, one secret): admission in the request, facts in the worker."""

    def __init__(self, client: redis.Redis, keys: Keys | str, secret: str, settings: GuardSettings, shards: int = 1):
        self.redis = client
        self.cluster = isinstance(client, RedisCluster)
        self.keys = keys if isinstance(keys, Keys) else Keys(keys, shards)
        self.secret = secret.encode()
        self.settings = settings
        self._wave = client.register_script(_WAVE)

    def digest(self, value: str) -> str:
        """A keyed hash of personal data (email, IP), usable for look-ups, useless to a reader."""
        return hmac.new(self.secret, value.strip().casefold().encode(), hashlib.sha256).hexdigest()[:32]

    def _fingerprint(self, post_id: str, email: str, norm: str) -> str:
        return self.digest(f"{FOLD_VERSION}\n{post_id}\n{canonical_mailbox(email)}\n{norm}")

    def mailbox_digest(self, email: str) -> str:
        """The flood budget's name for an email: every variant of one mailbox shares it."""
        return self.digest(canonical_mailbox(email))

    def _flood_keys(self, email: str, who: str) -> list[str]:
        return [self.keys.flood_address(self.digest(who)), self.keys.flood_mailbox(self.mailbox_digest(email))]

    def _client(self, ip: str) -> tuple[str, str]:
        return network_of(ip, self.settings.ipv4_prefix, self.settings.ipv6_prefix)

    def admission(self, post_id: str, email: str, ip: str, content: str, checks: bool = True) -> Admission:
        """Keys and arguments for admit.lua (flood and rate) and the duplicate check: no I/O."""
        s = self.settings
        who, network = self._client(ip)
        keys = [*self._flood_keys(email, who), self.keys.bucket(self.digest(who)),
                self.keys.network_bucket(self.digest(network))]
        args = [str(int(s.flood_seconds * 1000)), str(s.rate_burst), repr(s.rate_per_minute / 60_000),
                str(s.network_burst), repr(s.network_per_minute / 60_000)]
        duplicate_seconds = s.duplicate_days * 86400 if checks else 0
        return Admission(keys, args, self._fingerprint(post_id, email, folded(content)), duplicate_seconds, checks)

    # -- facts for the scoring worker ---------------------------------------------------------
    def wave_keys(self, content: str) -> list[str]:
        """The MinHash band sets a text belongs to (none for a text too short to say anything)."""
        if len(content.strip()) < self.settings.wave_min_chars:
            return []
        bands = minhash(folded(content)).reshape(BANDS, ROWS)
        return [self.keys.wave_band(i, zlib.crc32(band.tobytes())) for i, band in enumerate(bands)]

    def facts(self, comments: list[dict[str, Any]]) -> list[Facts]:
        """Each comment's spam wave (counting it in) and its author's rule, for a batch, in one round trip."""
        if not comments:
            return []
        pipe = self.redis.pipeline(transaction=False)
        waves: list[int | None] = []
        window = self.settings.wave_window_seconds
        for c in comments:
            bands = self.wave_keys(c.get("content") or "")
            member = c.get("email_hash") or self.digest("")
            when = int(c.get("created_us") or time.time() * 1e6) / 1e6
            candidates = [f"email:{member}"] + [f"ip:{p}" for p in ip_prefixes(c.get("ip"))]
            pipe.hmget(self.keys.authors, candidates)
            if bands and self.cluster:
                waves.append(int(self._wave(keys=bands, args=[member, repr(when), window])))
            elif bands:
                self._wave(keys=bands, args=[member, repr(when), window], client=pipe)
                waves.append(None)
            else:
                waves.append(0)
        answers = iter(pipe.execute())
        out = []
        for wave in waves:
            rule = _strongest(next(answers))
            out.append(Facts(int(next(answers)) if wave is None else wave, rule))
        return out

    # -- blocked and held authors -----------------------------------------------------------------
    def set_author(self, mode: str, by: str, email: str | None = None, ip_prefix: str | None = None,
                   note: str | None = None) -> dict[str, Any]:
        """Mark an author (by email hash or IP prefix) as always-hold, blocked or trusted (email only)."""
        entry_id = f"email:{self.digest(email)}" if email else f"ip:{ip_prefix}"
        record = {"id": entry_id, "mode": mode, "note": note or "", "by": by,
                  "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        self.redis.hset(self.keys.authors, entry_id, json.dumps(record))
        return record

    def list_authors(self) -> list[dict[str, Any]]:
        return sorted((json.loads(v) for v in self.redis.hvals(self.keys.authors)), key=lambda r: r["at"])

    def delete_author(self, entry_id: str) -> bool:
        return bool(self.redis.hdel(self.keys.authors, entry_id))

    def forget(self, email: str) -> None:
        """Erase an email's traces from admission: its flood mark, its rule, its place in every spam wave."""
        digest = self.digest(email)
        self.redis.delete(self.keys.flood_mailbox(self.mailbox_digest(email)))
        self.delete_author(f"email:{digest}")
        for key in self.redis.scan_iter(match=self.keys.wave_pattern, count=1000):
            self.redis.zrem(key, digest)


STRENGTH = {"block": 0, "hold": 1, "trust": 2}


def _strongest(found: list[str | None]) -> dict[str, Any] | None:
    """The author's rule among those matching: a block beats a hold, which beats trust."""
    rules = [json.loads(v) for v in found if v]
    return min(rules, key=lambda r: STRENGTH.get(r["mode"], 3), default=None)


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
