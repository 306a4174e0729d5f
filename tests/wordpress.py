"""A real, French WordPress for the plugin's tests: Debian's `wordpress` package copied into a private tree,
its own MariaDB server on a private data directory and port, PHP's built-in server with several workers
(a webhook or WP-cron call back into WordPress during a request must not deadlock), the plugin from this
checkout. No network beyond localhost."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

from tests.servers import free_port, wait_until

WORDPRESS = Path("/usr/share/wordpress")
PLUGIN = Path(__file__).resolve().parent.parent / "integrations" / "wordpress" / "moderation-service"
ADMIN, PASSWORD = "admin", "motdepasse-de-test"


def missing() -> str | None:
    """Why WordPress cannot run here, or None (CI installs the packages: see .ci/run)."""
    for path, package in ((WORDPRESS / "wp-settings.php", "wordpress"), (Path("/usr/sbin/mariadbd"), "mariadb-server"),
                          (WORDPRESS / "wp-content/languages/fr_FR.mo", "wordpress-l10n")):
        if not path.exists():
            return f"Debian's {package} is not installed"
    if not shutil.which("php"):
        return "php-cli is not installed"
    return None


ROUTER = """<?php
// php -S router: real files as they are, everything else through WordPress.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path !== '/' && file_exists(__DIR__ . $path) && !is_dir(__DIR__ . $path)) {
    return false;
}
require __DIR__ . '/index.php';
"""

TEST_PLUGIN = """<?php
// Test site only: WordPress's own 15-second flood check off, no update checks (no internet here).
add_filter('comment_flood_filter', '__return_false');
add_filter('pre_site_transient_update_core', '__return_null');
add_filter('pre_site_transient_update_plugins', '__return_null');
add_filter('pre_site_transient_update_themes', '__return_null');
"""


class WordPress:
    """One WordPress site with its database, served on a free port until ``stop()``."""

    def __init__(self, root: Path, service_url: str, credential: str, webhook_secret: str, port: int | None = None):
        self.root, self.port = root, port or free_port()
        self.tree, self.data = root / "wordpress", root / "mariadb"
        self.socket, self.db_port = root / "mariadb.sock", free_port()
        self.service_url, self.credential, self.webhook_secret = service_url, credential, webhook_secret
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Any] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return f"{self.base}/?rest_route=/moderation-service/v1/events"

    def start(self) -> WordPress:
        self._database()
        self._tree()
        self.php("install.php")
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        self.procs.append(subprocess.Popen(["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.tree),
                                            str(self.tree / "router.php")], env=env, cwd=self.tree,
                                           stdout=self._log("php.log"), stderr=subprocess.STDOUT,
                                           start_new_session=True))  # its 4 workers are stopped with it
        wait_until(self._up, 30, 0.1, what="WordPress to answer")
        return self

    def _log(self, name: str) -> Any:
        self.logs.append((self.root / name).open("ab"))
        return self.logs[-1]

    def _up(self) -> bool:
        try:
            return requests.get(self.base + "/wp-login.php", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def _database(self) -> None:
        self.data.mkdir(parents=True)
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={self.data}", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True)
        self.procs.append(subprocess.Popen(
            ["/usr/sbin/mariadbd", "--no-defaults", f"--datadir={self.data}", f"--socket={self.socket}",
             f"--port={self.db_port}", "--bind-address=127.0.0.1", "--user=root", "--skip-log-bin",
             "--innodb-buffer-pool-size=32M", f"--pid-file={self.root / 'mariadb.pid'}"],
            stdout=self._log("mariadb.log"), stderr=subprocess.STDOUT, start_new_session=True))
        wait_until(lambda: subprocess.run(["mariadb", f"--socket={self.socket}", "-uroot", "-e",
                                           "CREATE DATABASE IF NOT EXISTS wordpress"],
                                          capture_output=True).returncode == 0, 60, 0.2, what="MariaDB")

    def _tree(self) -> None:
        """A copy of Debian's tree (its wp-config.php looks up /etc/wordpress, made for a system install)."""
        shutil.copytree(WORDPRESS, self.tree, symlinks=True, ignore=shutil.ignore_patterns("wp-content"))
        content = self.tree / "wp-content"
        for sub in ("plugins", "mu-plugins", "uploads", "upgrade"):
            (content / sub).mkdir(parents=True, exist_ok=True)
        (content / "languages").symlink_to(WORDPRESS / "wp-content/languages")
        (content / "themes").symlink_to(WORDPRESS / "wp-content/themes")
        (content / "plugins/moderation-service").symlink_to(PLUGIN)
        (content / "mu-plugins/test-site.php").write_text(TEST_PLUGIN)
        (self.tree / "router.php").write_text(ROUTER)
        (self.tree / "wp-config.php").write_text(f"""<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{self.socket}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
foreach (array('AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT',
               'LOGGED_IN_SALT', 'NONCE_SALT') as $name) {{ define($name, 'test-' . $name); }}
define('WP_HOME', '{self.base}');
define('WP_SITEURL', '{self.base}');
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('DISABLE_WP_CRON', true);  // the tests run WP-cron's job themselves
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);  // localhost only
define('WP_DEBUG', true);
define('WP_DEBUG_LOG', '{self.root / "debug.log"}');
define('WP_DEBUG_DISPLAY', false);
if (!defined('ABSPATH')) {{ define('ABSPATH', __DIR__ . '/'); }}
require_once ABSPATH . 'wp-settings.php';
""")
        (self.tree / "install.php").write_text(f"""<?php
$_SERVER['HTTP_HOST'] = '127.0.0.1:{self.port}';
define('WP_INSTALLING', true);
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
wp_install('Le Journal du Matin', '{ADMIN}', 'admin@example.org', true, '', '{PASSWORD}', 'fr_FR');
update_option('WPLANG', 'fr_FR');
update_option('permalink_structure', '/%postname%/');  // pretty permalinks: /wp-json/ works too
update_option('comment_moderation', '0');
update_option('comment_previously_approved', '0');
update_option('require_name_email', '1');
update_option('moderation_service_url', '{self.service_url}');
update_option('moderation_service_token', '{self.credential}');
update_option('moderation_service_webhook_secret', '{self.webhook_secret}');
$result = activate_plugin('moderation-service/moderation-service.php');
if (is_wp_error($result)) {{ fwrite(STDERR, $result->get_error_message()); exit(1); }}
wp_insert_post(array('post_title' => 'Le budget 2027 voté de justesse', 'post_status' => 'publish',
    'post_content' => '<!-- wp:paragraph --><p>Le Parlement a adopté le budget.</p><!-- /wp:paragraph -->'));
""")
        (self.tree / "eval.php").write_text(f"""<?php
$_SERVER['HTTP_HOST'] = '127.0.0.1:{self.port}';
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
echo json_encode(eval($argv[1]));
""")

    def php(self, script: str, *args: str) -> str:
        done = subprocess.run(["php", str(self.tree / script), *args], cwd=self.tree, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def eval(self, code: str) -> object:
        """Run PHP inside this WordPress (as WP-cron or wp-cli would) and return its JSON-encoded result."""
        import json

        return json.loads(self.php("eval.php", code) or "null")

    def cron(self) -> None:
        """WP-cron's job of the plugin, as wp-cron.php runs it when it is due."""
        self.eval("do_action('moderation_service_reconcile'); return true;")

    def post_id(self) -> int:
        return int(self.eval("return get_posts(array('numberposts' => 1))[0]->ID;"))  # type: ignore[call-overload]

    def comment_status(self, comment_id: int) -> str:
        return str(self.eval(f"return wp_get_comment_status({comment_id});"))

    def comment_meta(self, comment_id: int, key: str) -> str:
        return str(self.eval(f"return get_comment_meta({comment_id}, '{key}', true);"))

    def post_comment(self, session: requests.Session, post_id: int, author: str, email: str, content: str) -> int:
        """As a reader's browser does: WordPress's own form, posted to wp-comments-post.php; the comment's id."""
        response = session.post(self.base + "/wp-comments-post.php", data={
            "comment_post_ID": str(post_id), "author": author, "email": email, "url": "", "comment": content,
            "comment_parent": "0", "submit": "Laisser un commentaire"}, allow_redirects=False, timeout=30)
        assert response.status_code == 302, response.text[-2000:]
        found = re.search(r"unapproved=(\d+)|#comment-(\d+)", response.headers["Location"])
        assert found, response.headers["Location"]
        return int(found.group(1) or found.group(2))

    def stop(self) -> None:
        for proc in reversed(self.procs):  # each its own process group: php -S's workers go with their parent
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for log in self.logs:
            log.close()
        time.sleep(0.1)
