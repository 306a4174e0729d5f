"""`moderation import wordpress`: a WXR export's comments in, each once, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from service.auth import create_site
from service.cli import main
from service.store import CommentStore
from tests.conftest import write_waiting
from tests.servers import RedisServer

ITEM = """<item><title>{title}</title><link>https://blog.example.fr/?p={post}</link>
<wp:post_id>{post}</wp:post_id>{comments}</item>"""
COMMENT = """<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author><![CDATA[{author}]]></wp:comment_author>
<wp:comment_author_email><![CDATA[{email}]]></wp:comment_author_email><wp:comment_author_url></wp:comment_author_url>
<wp:comment_author_IP><![CDATA[198.51.100.7]]></wp:comment_author_IP>
<wp:comment_date_gmt><![CDATA[2025-03-0{day} 08:26:00]]></wp:comment_date_gmt>
<wp:comment_content><![CDATA[{content}]]></wp:comment_content><wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
<wp:comment_type><![CDATA[{kind}]]></wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"""


def export(tmp_path: Path, comments: list[dict[str, str]], name: str = "blog.xml") -> Path:
    body = "".join(COMMENT.format(**{"author": "Lecteur", "email": "lecteur@example.fr", "kind": "", "parent": "0",
                                     "day": "3", **c}) for c in comments)
    path = tmp_path / name
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Le Journal</title>{ITEM.format(title="Le budget", post="7", comments=body)}</channel></rss>""")
    return path


BLOG = [
    {"id": "1", "content": "Très juste, merci.", "approved": "1"},
    {"id": "2", "content": "Je ne suis pas d'accord.", "approved": "1", "parent": "1"},
    {"id": "3", "content": "Prêt rapide WhatsApp +33 6 39 98 41 27", "approved": "spam"},
    {"id": "4", "content": "Une question sur le vote ?", "approved": "0"},
    {"id": "5", "content": "À la corbeille.", "approved": "trash"},
    {"id": "6", "content": "Pingback", "approved": "1", "kind": "pingback"},
]


@pytest.fixture
def env(redis_server: RedisServer, prefix: str, store: CommentStore) -> dict[str, str]:
    create_site(store.redis, store.keys, "journal")
    return {"REDIS_URL": redis_server.url, "MODERATION_REDIS_PREFIX": prefix, "MODERATION_SECRET_KEY": "k"}


def imported(env: dict[str, str], path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["import", "wordpress", str(path), *args], env=env)
    return result.exit_code, result.output


def test_a_blogs_comments_come_in_published_spam_or_queued_with_labels(tmp_path: Path, env: dict[str, str],
                                                                       store: CommentStore) -> None:
    code, output = imported(env, export(tmp_path, BLOG))
    assert code == 0, output
    assert output.splitlines()[-5:] == ["approved: 2", "spam: 1", "pending: 1", "already imported: 0", "skipped: 2"]
    write_waiting(store)  # the pending one waits in the scoring stream, as every new comment does
    counts = store.counts()
    assert (counts["approved"], counts["spam"], counts["received"]) == (2, 1, 1)
    labels = sorted((f["spam"], f["toxic"], f["source"]) for f in store.labels.export())
    assert labels == [(0, 0, "import"), (0, 0, "import"), (1, None, "import")]
    approved = {c["external_id"]: c for c in store.get_each(store.redis.zrange(store.keys.by_time("approved"), 0, -1))
                if c}
    reply, first = approved["2"], approved["1"]
    assert reply["parent_id"] == first["id"] and reply["site"] == "journal" and reply["source"] == "import"
    assert first["created_at"] == "2025-03-03T08:26:00Z"  # the blog's date, not the import's


def test_running_it_again_imports_nothing_twice(tmp_path: Path, env: dict[str, str], store: CommentStore) -> None:
    path = export(tmp_path, BLOG)
    assert imported(env, path)[0] == 0
    code, output = imported(env, path)
    assert code == 0 and "already imported: 4" in output
    write_waiting(store)
    assert sum(store.counts().values()) == 4


@pytest.mark.parametrize(("text", "why"), [
    ("<rss><channel><item>", "not well-formed XML"),
    ("<html><body>Pas un export</body></html>", "not a WordPress export"),
    ('<!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel/></rss>', "not well-formed XML"),  # no entities at all
])
def test_a_malformed_file_gets_a_clear_error_and_nothing_is_imported(tmp_path: Path, env: dict[str, str],
                                                                      store: CommentStore, text: str, why: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(text)
    code, output = imported(env, path)
    assert code == 1 and why in output
    assert sum(store.counts().values()) == 0 and store.redis.xlen(store.keys.incoming()) == 0


def test_one_invalid_comment_is_named_and_nothing_is_imported(tmp_path: Path, env: dict[str, str],
                                                              store: CommentStore) -> None:
    path = export(tmp_path, [*BLOG[:3], {"id": "9", "content": "Bonjour", "approved": "1", "email": "pas-une-adresse"}])
    code, output = imported(env, path)
    assert code == 1
    assert "comment 9 (post 7): email: Not a valid email address." in output
    assert sum(store.counts().values()) == 0 and store.redis.xlen(store.keys.incoming()) == 0


def test_the_site_must_be_named_when_there_are_several(tmp_path: Path, env: dict[str, str],
                                                       store: CommentStore) -> None:
    create_site(store.redis, store.keys, "autre-blog")
    code, output = imported(env, export(tmp_path, BLOG))
    assert code == 2 and "--site" in output and "autre-blog, journal" in output
    assert imported(env, export(tmp_path, BLOG), "--site", "journal")[0] == 0
