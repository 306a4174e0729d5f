"""Serve the example French article page, wired to a running moderation service.

    MODERATION_ALLOWED_ORIGINS=http://127.0.0.1:8080 moderation serve     # in one shell
    python examples/blog/serve.py                                         # in another

then open http://127.0.0.1:8080/.
"""

from __future__ import annotations

import argparse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGE = Path(__file__).with_name("index.html")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--service", default="http://127.0.0.1:8000", help="the moderation service's base URL")
    args = parser.parse_args()
    html = PAGE.read_text(encoding="utf-8").replace("__SERVICE__", args.service.rstrip("/")).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path.split("?")[0] not in ("/", "/index.html"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"example blog on http://127.0.0.1:{args.port}/ (comments from {args.service})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
