"""Public read API: approved comments only, never personal data."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import comment_payload


def test_only_approved_comments_are_public_oldest_first(client: FlaskClient, auth: dict[str, str]) -> None:
    ids = [client.post("/api/v1/comments", json=comment_payload(post_id="p1", content=f"Avis {i}")).get_json()["id"]
           for i in range(4)]
    decide = {ids[0]: "approve", ids[1]: "reject", ids[2]: "approve", ids[3]: "spam"}
    for comment_id, action in decide.items():
        client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": action}, headers=auth)
    body = client.get("/api/v1/posts/p1/comments").get_json()
    assert [c["id"] for c in body["items"]] == [ids[0], ids[2]]
    for item in body["items"]:
        assert set(item) == {"id", "post_id", "author", "url", "content", "created_at", "parent_id"}
    text = client.get("/api/v1/posts/p1/comments").get_data(as_text=True)
    assert "camille@example.fr" not in text and "127.0.0.1" not in text


def test_unknown_post_has_no_comments(client: FlaskClient) -> None:
    assert client.get("/api/v1/posts/nothing-here/comments").get_json()["items"] == []


def test_public_list_pages_by_cursor(client: FlaskClient, auth: dict[str, str]) -> None:
    ids = [client.post("/api/v1/comments", json=comment_payload(post_id="p2")).get_json()["id"] for _ in range(5)]
    for comment_id in ids:
        client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "approve"}, headers=auth)
    first = client.get("/api/v1/posts/p2/comments?limit=2").get_json()
    rest = client.get(f"/api/v1/posts/p2/comments?limit=10&cursor={first['next_cursor']}").get_json()
    assert [c["id"] for c in first["items"] + rest["items"]] == ids
    assert rest["next_cursor"] is None
