"""A real WordPress for the plugin tests: Debian's package, a fresh MariaDB
database per run, the plugin installed from the built zip, served by `php -S`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from shopchat.wordpress.build import build_plugin_zip

HERE = Path(__file__).resolve().parent
PHP_TESTS = HERE / "php"
FIXTURES = HERE / "fixtures"
WORDPRESS_ROOT = Path("/usr/share/wordpress")
THEME = "twentytwentyone"
CONFIG_DIR = Path("/etc/wordpress")
# Debian's wp-config.php picks /etc/wordpress/config-HOST.php by the Host header
# (without port); this one hands each test server's port its own config file.
DISPATCHER = CONFIG_DIR / "config-127.0.0.1.php"
DISPATCHER_MARK = "// shopchat test dispatcher"
DISPATCHER_CODE = f"""<?php
{DISPATCHER_MARK}: one config a port, written and removed by tests/wordpress.
$shopchat_test_port = (int) substr( strrchr( $_SERVER['HTTP_HOST'] ?? '', ':' ) ?: ':0', 1 );
require '/etc/wordpress/shopchat-test/port-' . $shopchat_test_port . '.php';
"""
LOG_PROBLEM = re.compile(r"PHP (Warning|Notice|Fatal error|Parse error)|/plugins/shopchat/")
MARIADB = ["mariadb", "--protocol=tcp", "-h127.0.0.1", "-P3306", "-uroot"]


@dataclass
class WordPress:
    """A running test WordPress and the ways to reach into it."""

    port: int
    root: Path
    db_name: str
    admin_password: str
    customer_password: str
    debug_log: Path
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def content_dir(self) -> Path:
        return self.root / "wp-content"

    def php(self, code: str, *, installing: bool = False) -> str:
        """Runs PHP inside this WordPress (after wp-load.php) and returns its output."""
        script = self.root.parent / f"run-{secrets.token_hex(4)}.php"
        script.write_text(
            "<?php\n"
            f"$_SERVER['HTTP_HOST'] = '127.0.0.1:{self.port}';\n"
            "$_SERVER['REQUEST_URI'] = '/';\n"
            "$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';\n"
            + ("define( 'WP_INSTALLING', true );\n" if installing else "")
            + f"require '{WORDPRESS_ROOT}/wp-load.php';\n"
            "require_once ABSPATH . 'wp-admin/includes/plugin.php';\n" + code
        )
        try:
            run = subprocess.run(
                ["php", str(script)], capture_output=True, text=True, timeout=60, check=False
            )
        finally:
            script.unlink()
        if run.returncode != 0:
            raise RuntimeError(f"php failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
        return run.stdout

    def php_json(self, expression: str) -> Any:
        """The value of a PHP expression, through JSON."""
        return json.loads(self.php(f"echo wp_json_encode( {expression} );"))

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)  # type: ignore[arg-type]

    def login(self, user: str, password: str) -> httpx.Client:
        """A client holding the cookies of a real login through wp-login.php."""
        with self.client() as client:
            client.get("/wp-login.php")  # sets wordpress_test_cookie
            response = client.post(
                "/wp-login.php",
                data={"log": user, "pwd": password, "wp-submit": "Log In", "testcookie": "1"},
            )
            assert response.status_code == 302, response.text[:2000]
            return self.client(cookies=client.cookies)

    def admin(self) -> httpx.Client:
        return self.login("admin", self.admin_password)

    def customer(self) -> httpx.Client:
        return self.login("customer", self.customer_password)

    def set_settings(self, settings: Mapping[str, object], **secrets_: str) -> None:
        """Stores plugin settings directly (for tests that are not about the settings page)."""
        given = _php_quote(json.dumps(settings))
        code = (
            "update_option( 'shopchat_settings',"
            f" array_merge( shopchat_get_settings(), json_decode( '{given}', true ) ) );\n"
        )
        for name, value in secrets_.items():
            code += f"update_option( 'shopchat_{name}', '{_php_quote(value)}', false );\n"
        self.php(code)

    def log_size(self) -> int:
        return self.debug_log.stat().st_size if self.debug_log.exists() else 0

    def log_problems(self, since: int = 0) -> list[str]:
        """Debug-log lines (WP_DEBUG on) since a log size that are warnings,
        notices or errors anywhere, or anything from the plugin's files.
        (WordPress 6.1's own PHP 8.2 deprecation notices are not ours.)"""
        if not self.debug_log.exists():
            return []
        with self.debug_log.open("rb") as log:
            log.seek(since)
            lines = log.read().decode(errors="replace").splitlines()
        return [line for line in lines if LOG_PROBLEM.search(line)]


def _php_quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_mariadb() -> None:
    """Starts the MariaDB server if nothing answers on 127.0.0.1:3306."""
    if _mariadb_answers():
        return
    subprocess.run(
        [
            "start-stop-daemon",
            "--start",
            "--oknodo",
            "--background",
            "--exec",
            "/usr/sbin/mariadbd",
        ],
        check=True,
    )
    deadline = time.monotonic() + 60
    while not _mariadb_answers():
        if time.monotonic() > deadline:
            raise RuntimeError("MariaDB did not start on 127.0.0.1:3306")
        time.sleep(0.5)


def _mariadb_answers() -> bool:
    run = subprocess.run([*MARIADB, "-e", "SELECT 1"], capture_output=True, check=False)
    return run.returncode == 0


def _sql(statement: str) -> None:
    subprocess.run([*MARIADB, "-e", statement], check=True, capture_output=True)


def _make_docroot(root: Path) -> None:
    """WordPress's files by symlink, with a wp-content of our own."""
    root.mkdir()
    for entry in WORDPRESS_ROOT.iterdir():
        if entry.name != "wp-content":
            (root / entry.name).symlink_to(entry)
    content = root / "wp-content"
    for sub in ("plugins", "themes", "uploads"):
        (content / sub).mkdir(parents=True)
    (content / "themes" / THEME).symlink_to(WORDPRESS_ROOT / "wp-content" / "themes" / THEME)
    shutil.copytree(FIXTURES / "mu-plugins", content / "mu-plugins")
    shutil.copytree(FIXTURES / "woocommerce-standin", content / "plugins" / "woocommerce-standin")
    plugin_zip = build_plugin_zip(root.parent / "dist")
    with zipfile.ZipFile(plugin_zip) as archive:
        archive.extractall(content / "plugins")


def _write_config(port: int, root: Path, db_name: str, debug_log: Path) -> Path:
    salts = "".join(
        f"define( '{name}', '{secrets.token_hex(32)}' );\n"
        for name in (
            "AUTH_KEY",
            "SECURE_AUTH_KEY",
            "LOGGED_IN_KEY",
            "NONCE_KEY",
            "AUTH_SALT",
            "SECURE_AUTH_SALT",
            "LOGGED_IN_SALT",
            "NONCE_SALT",
        )
    )
    config = CONFIG_DIR / "shopchat-test" / f"port-{port}.php"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "<?php\n"
        f"define( 'DB_NAME', '{db_name}' );\n"
        "define( 'DB_USER', 'root' );\n"
        "define( 'DB_PASSWORD', '' );\n"
        "define( 'DB_HOST', '127.0.0.1:3306' );\n"
        f"define( 'WP_HOME', 'http://127.0.0.1:{port}' );\n"
        f"define( 'WP_SITEURL', 'http://127.0.0.1:{port}' );\n"
        f"define( 'WP_CONTENT_DIR', '{root}/wp-content' );\n"
        f"define( 'WP_DEFAULT_THEME', '{THEME}' );\n"
        "define( 'WP_DEBUG', true );\n"
        f"define( 'WP_DEBUG_LOG', '{debug_log}' );\n"
        "define( 'WP_DEBUG_DISPLAY', false );\n"
        "define( 'WP_HTTP_BLOCK_EXTERNAL', true );\n"
        "define( 'AUTOMATIC_UPDATER_DISABLED', true );\n" + salts + "$table_prefix = 'wp_';\n"
    )
    if not DISPATCHER.exists():
        DISPATCHER.write_text(DISPATCHER_CODE)
    elif DISPATCHER_MARK not in DISPATCHER.read_text():
        raise RuntimeError(
            f"{DISPATCHER} exists and is not the tests' dispatcher; move it away to run these tests"
        )
    return config


def _remove_config(config: Path) -> None:
    config.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        config.parent.rmdir()  # only when no other test run uses it
        DISPATCHER.unlink()


def _serve(port: int, root: Path, log: Path) -> subprocess.Popen[bytes]:
    """php -S with workers (WordPress calls itself), in its own process group."""
    env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
    with log.open("wb") as out:
        return subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{port}", "-t", str(root), str(FIXTURES / "router.php")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(server: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def _wait_until_serving(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"php -S exited with {server.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError("php -S did not start listening")


INSTALL = """
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install( 'shopchat test shop', 'admin', 'admin@example.com', true, '', '{admin_password}' );
update_option( 'blogdescription', 'A test shop' );
update_option( 'permalink_structure', '/%postname%/' );
$customer = wp_insert_user( array(
    'user_login' => 'customer', 'user_pass' => '{customer_password}',
    'user_email' => 'carla@example.com',
    'display_name' => 'Carla Kunde', 'role' => 'subscriber',
) );
$pages = array();
$titles = array( 'shop' => 'Shop', 'about' => 'About us', 'contact' => 'Contact' );
foreach ( $titles as $slug => $title ) {{
    $pages[ $slug ] = wp_insert_post( array(
        'post_type' => 'page', 'post_status' => 'publish', 'post_name' => $slug,
        'post_title' => $title, 'post_content' => $title,
    ) );
}}
$activated = activate_plugin( 'shopchat/shopchat.php' );
if ( is_wp_error( $activated ) ) {{ fwrite( STDERR, $activated->get_error_message() ); exit( 1 ); }}
echo wp_json_encode( array_merge( $pages, array( 'customer' => $customer ) ) );
"""


@contextlib.contextmanager
def start_wordpress(workdir: Path) -> Iterator[WordPress]:
    ensure_mariadb()
    port = free_port()
    db_name = f"shopchat_wp_{secrets.token_hex(4)}"
    root = workdir / "docroot"
    site = WordPress(
        port=port,
        root=root,
        db_name=db_name,
        admin_password=secrets.token_urlsafe(12),
        customer_password=secrets.token_urlsafe(12),
        debug_log=workdir / "debug.log",
    )
    _make_docroot(root)
    _sql(f"CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4")
    config = _write_config(port, root, db_name, site.debug_log)
    server = _serve(port, root, workdir / "php-server.log")
    try:
        _wait_until_serving(port, server)
        site.ids = json.loads(
            site.php(
                INSTALL.format(
                    admin_password=site.admin_password, customer_password=site.customer_password
                ),
                installing=True,
            )
        )
        yield site
    finally:
        _stop(server)
        _remove_config(config)
        _sql(f"DROP DATABASE IF EXISTS `{db_name}`")


def form_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (nonce, referer, option page)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*type=[\"']hidden[\"'][^>]*>", html):
        name = re.search(r"name=[\"']([^\"']+)[\"']", tag)
        value = re.search(r"value=[\"']([^\"']*)[\"']", tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


LOADER = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"']*/widget\.js)[\"'][^>]*>")
INLINE_SETTINGS = re.compile(r"window\.shopchatSettings = (\{.*?\});\s*</script>", re.S)


def loader_tag(html: str) -> str | None:
    """The loader's script tag, or None."""
    match = LOADER.search(html)
    return match.group(0) if match else None


def widget_settings(html: str) -> dict[str, Any]:
    """The window.shopchatSettings object of a page."""
    match = INLINE_SETTINGS.search(html)
    assert match, "no window.shopchatSettings on the page"
    return json.loads(match.group(1))
