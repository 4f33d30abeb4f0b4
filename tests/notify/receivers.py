"""Servers that notifications are sent to in tests: an HTTP receiver and an SMTP server."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.server import free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Records every POST; answers with the next scripted status (then 200 for ever)."""

    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    location: str | None = None  # sent with every answer: a redirect when the status is 3xx

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                receiver.requests.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if receiver.location:
                    self.send_header("location", receiver.location)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # the default 5 resets bursts of connections

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Listener:
    """A TCP port on several loopback addresses that records every connection made to it
    (and, with ``tls``, the server name the client asked for): a connection that never
    arrives was never attempted."""

    def __init__(self, addresses: tuple[str, ...] = ("127.0.0.1", "::1")) -> None:
        self.addresses = addresses
        self.connections: list[str] = []  # the listening address each one reached
        self.server_names: list[str | None] = []
        self.tls: ssl.SSLContext | None = None
        self._sockets: list[socket.socket] = []

    def start(self, *, tls: ssl.SSLContext | None = None) -> Listener:
        self.tls = tls
        for _ in range(20):
            try:
                self._bind()
                break
            except OSError:  # the port is taken on another address: try another one
                self._close()
        else:
            raise RuntimeError("no port free on every address")
        for sock in self._sockets:
            threading.Thread(target=self._accept, args=(sock,), daemon=True).start()
        return self

    @property
    def port(self) -> int:
        return int(self._sockets[0].getsockname()[1])

    def _bind(self) -> None:
        port = 0
        for address in self.addresses:
            sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
            self._sockets.append(sock)
            sock.bind((address, port))
            sock.listen(16)
            port = sock.getsockname()[1]

    def _accept(self, sock: socket.socket) -> None:
        address = sock.getsockname()[0]
        while True:
            try:
                conn, _peer = sock.accept()
            except OSError:
                return
            self.connections.append(address)
            if self.tls is not None:
                self._handshake(conn)
            conn.close()

    def _handshake(self, conn: socket.socket) -> None:
        context = self.tls
        assert context is not None

        def record(_sock: Any, name: str | None, _context: Any) -> None:
            self.server_names.append(name)

        context.sni_callback = record
        conn.settimeout(5)
        with contextlib.suppress(OSError):  # the client refuses the self-signed certificate
            context.wrap_socket(conn, server_side=True).close()

    def _close(self) -> None:
        for sock in self._sockets:
            sock.close()
        self._sockets = []

    def stop(self) -> None:
        self._close()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class SmtpServer:
    """aiosmtpd on a free port, keeping what it received."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Message]:
        return self.inbox.messages

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def self_signed_server_context(directory: Path, name: str) -> ssl.SSLContext:
    """A TLS server context with a fresh self-signed certificate for ``name``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def scripted_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """Names answered from a script (one answer per lookup, the last one repeated), the
    lookups of ``name`` counted under ``lookups:name``; other names resolve as usual. There
    is no DNS here, and rebinding needs an answer that changes."""
    script: dict[str, list[list[str]]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in script:
            return real(host, port, *args, **kwargs)
        done = script.setdefault(f"lookups:{host}", [])
        answers = script[host]
        addresses = answers[min(len(done), len(answers) - 1)]
        done.append([])
        family = {True: socket.AF_INET6, False: socket.AF_INET}
        return [(family[":" in a], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return script
