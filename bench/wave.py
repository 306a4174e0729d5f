"""A spam wave against `moderation serve`: near-identical comments from as many addresses and mailboxes, while a
moderator keeps the review page open. Every one must be acknowledged (or refused with a reason), the wave
detected and held by the scoring worker, and the review page must keep answering quickly."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis
import requests

from service.keys import Keys, Status
from service.store import CommentStore

TEXT = ("Besoin d'un prêt entre particuliers rapide et sérieux ? Taux 2 %, réponse en 24 h. Contactez "
        "M. Durand sur WhatsApp +33 6 39 98 41 {n:02d} ou par mail, dossier {n} traité en priorité.")


def run(base: str, url: str, prefix: str, token: str, comments: int, seconds: float,
        clients: int = 16) -> dict[str, Any]:
    """Send ``comments`` near-identical comments spread evenly over ``seconds`` (each from its own /24 and
    mailbox, through the trusted proxy header), poll the review page meanwhile, then wait for the worker."""
    codes: dict[int, int] = {}
    page_ms: list[float] = []
    stop = threading.Event()
    lock = threading.Lock()

    def poll() -> None:
        session = requests.Session()
        session.post(f"{base}/moderation/login", data={"token": token}, timeout=10)
        while not stop.is_set():
            started = time.perf_counter()
            answer = session.get(f"{base}/moderation/", timeout=10)
            page_ms.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.status_code
            time.sleep(0.05)

    local = threading.local()

    def send(i: int) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        wait = started + i * seconds / comments - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        body = {"post_id": f"article-{i % 20}", "author": f"Marc {i}", "email": f"pret{i}@example.net",
                "content": TEXT.format(n=i % 100)}
        address = f"10.{i // 250}.{i % 250}.7"
        answer = session.post(f"{base}/api/v1/comments", json=body, headers={"X-Forwarded-For": address},
                              timeout=30)
        with lock:
            codes[answer.status_code] = codes.get(answer.status_code, 0) + 1

    poller = threading.Thread(target=poll)
    poller.start()
    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, range(comments)))
    sent_s = time.monotonic() - started
    client = redis.Redis.from_url(url, decode_responses=True)
    store = CommentStore(client, Keys(prefix))
    deadline = time.monotonic() + 300
    while client.xlen(store.keys.incoming()) and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    poller.join()
    filed_s = time.monotonic() - started
    held = waved = filed = 0
    for status in ("pending", "spam", "approved"):
        cursor = None
        while True:
            page, cursor = store.page(Status(status), cursor=cursor, limit=500)
            for c in page:
                filed += 1
                rules = {r["rule"] for r in c["reasons"]}
                waved += "spam_wave" in rules
                held += status != "approved"
            if not cursor:
                break
    client.close()
    page_ms.sort()
    return {"comments": comments, "seconds": round(sent_s, 1), "codes": codes, "filed": filed,
            "with_spam_wave": waved, "held": held, "filed_after_s": round(filed_s, 1),
            "page_requests": len(page_ms), "page_p50_ms": round(page_ms[len(page_ms) // 2], 1) if page_ms else 0,
            "page_p99_ms": round(page_ms[max(0, int(len(page_ms) * .99) - 1)], 1) if page_ms else 0}
