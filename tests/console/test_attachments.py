"""Files in the console: agents attach them to replies; customers' files reach agents.

Over real HTTP: the agent's upload goes through the same checks as a customer's (real
type, size, metadata), the customer's session token downloads it, and nobody of another
account can upload to or read from the conversation.
"""

from __future__ import annotations

import asyncio
import io
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from PIL import Image, PngImagePlugin

from shopchat.attachment import files, sandbox
from shopchat.console import attachments, auth
from tests.console.helpers import ConsoleClient, World
from tests.support.chat import WidgetSocket, bearer, is_type, open_session
from tests.support.server import ServerThread


def _handed_off(server: ServerThread, world: World) -> tuple[WidgetSocket, str, str]:
    """A customer of shop A who asked for a person: their socket, conversation and token."""
    session = open_session(server.url, world.a.credentials)
    socket = WidgetSocket(server.url, session["session_token"])
    socket.send({"type": "resume", "after_seq": 0})
    socket.send({"type": "message", "client_id": "c1", "text": "I want a human please"})
    socket.recv_until(is_type("status", status="waiting"))
    return socket, session["conversation_id"], session["session_token"]


def _customer_attachment(server: ServerThread, token: str) -> dict[str, str]:
    response = httpx.post(
        f"{server.url}/api/v1/widget/attachments",
        files={"file": ("photo.png", _png(), "image/png")},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _png(size: tuple[int, int] = (32, 24), *, noise: bool = False) -> bytes:
    image = Image.new("RGB", size, (20, 120, 200))
    if noise:  # incompressible, so the file is as large as its pixels
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: Secret Street 1")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _upload(
    agent: ConsoleClient,
    conversation_id: str,
    name: str,
    data: bytes,
    *,
    csrf: bool = True,
) -> httpx.Response:
    headers = {"x-requested-with": "fetch"}
    if csrf:
        headers["x-csrf-token"] = agent.csrf
    return agent.http.post(
        "/console/attachments",
        params={"conversation_id": conversation_id},
        files={"file": (name, data, "image/png")},
        headers=headers,
    )


def _answer_before_the_body(
    server: ServerThread, conversation_id: str, headers: dict[str, str]
) -> int:
    """The status of an upload whose headers announce 10 MB of which only 6 bytes come."""
    head = [
        f"POST /console/attachments?conversation_id={conversation_id} HTTP/1.1",
        f"Host: 127.0.0.1:{server.port}",
        "Content-Type: multipart/form-data; boundary=b",
        f"Content-Length: {files.MAX_BYTES}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall("\r\n".join([*head, "", ""]).encode() + b"--b\r\n")
        status_line = connection.recv(200)  # times out if the server waits for the body
    return int(status_line.split(b" ", 2)[1])


def test_an_agents_file_reaches_the_customer(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id, token = _handed_off(console_server, world)
    agent = client(world.a.email("agent"))
    uploaded = _upload(agent, conversation_id, "label.png", _png())
    assert uploaded.status_code == 201, uploaded.text
    attachment = uploaded.json()
    assert attachment["content_type"] == "image/png" and attachment["name"] == "label.png"

    with socket:
        sent = agent.post(
            f"/console/c/{conversation_id}/reply",
            {"text": "Here is your return label.", "attachments": attachment["id"]},
        )
        assert sent.status_code == 200, sent.text
        reply = socket.recv_until(lambda f: f.get("role") == "agent")
    assert reply["attachments"] == [attachment]

    served = httpx.get(
        f"{console_server.url}/api/v1/attachments/{attachment['id']}", headers=bearer(token)
    )
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert b"Secret Street" not in served.content  # metadata stripped like a customer's
    assert Image.open(io.BytesIO(served.content)).size == (32, 24)

    page = agent.get(f"/console/c/{conversation_id}")
    assert f'href="/console/attachments/{attachment["id"]}"' in page.text
    again = agent.get(f"/console/attachments/{attachment['id']}")
    assert again.status_code == 200 and again.content == served.content


def test_a_reply_of_files_alone_is_sent(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id, _ = _handed_off(console_server, world)
    agent = client(world.a.email("agent"))
    attachment = _upload(agent, conversation_id, "a.png", _png()).json()
    with socket:
        sent = agent.post(
            f"/console/c/{conversation_id}/reply", {"text": " ", "attachments": attachment["id"]}
        )
        assert sent.status_code == 200, sent.text
        reply = socket.recv_until(lambda f: f.get("role") == "agent")
    assert reply["text"] == "" and reply["attachments"][0]["id"] == attachment["id"]
    empty = agent.post(f"/console/c/{conversation_id}/reply", {"text": " "})
    assert empty.status_code == 400


def test_a_disguised_executable_is_refused(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id, _ = _handed_off(console_server, world)
    socket.close()
    agent = client(world.a.email("agent"))
    for disguised in (b"MZ\x90\x00" + bytes(200), b"\x7fELF\x02\x01\x01" + bytes(200)):
        response = _upload(agent, conversation_id, "invoice.png", disguised)
        assert response.status_code == 415, response.text
        assert response.json()["error"]["code"] == "unsupported_type"


def test_csrf_and_sign_in_are_required(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id, _ = _handed_off(console_server, world)
    socket.close()
    agent = client(world.a.email("agent"))
    missing = _upload(agent, conversation_id, "a.png", _png(), csrf=False)
    assert missing.status_code == 403
    assert missing.json()["error"]["code"] == "csrf"
    agent.csrf = "forged-" + agent.csrf
    assert _upload(agent, conversation_id, "a.png", _png()).status_code == 403
    stranger = client()
    assert _upload(stranger, conversation_id, "a.png", _png()).status_code == 401


def test_another_account_can_neither_upload_nor_download(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id, token = _handed_off(console_server, world)
    socket.close()
    agent_a = client(world.a.email("agent"))
    owner_b = client(world.b.email("owner"))
    mine = _upload(agent_a, conversation_id, "a.png", _png()).json()
    customers = _customer_attachment(console_server, token)

    refused = _upload(owner_b, conversation_id, "b.png", _png())
    assert refused.status_code == 404, refused.text
    for attachment_id in (mine["id"], customers["id"], "not-a-uuid", str(uuid.uuid4())):
        assert owner_b.get(f"/console/attachments/{attachment_id}").status_code == 404
    # B's own conversation cannot carry A's file either.
    b_conversation = open_session(console_server.url, world.b.credentials)["conversation_id"]
    smuggled = owner_b.post(
        f"/console/c/{b_conversation}/reply", {"text": "x", "attachments": mine["id"]}
    )
    assert (smuggled.status_code, smuggled.json()["error"]["code"]) == (400, "bad_attachments")
    # ...and B's customers cannot read it with their own session token.
    b_token = open_session(console_server.url, world.b.credentials)["session_token"]
    stolen = httpx.get(
        f"{console_server.url}/api/v1/attachments/{mine['id']}", headers=bearer(b_token)
    )
    assert stolen.status_code == 404


def test_customers_files_show_in_the_console(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id, token = _handed_off(console_server, world)
    attachment = _customer_attachment(console_server, token)
    with socket:
        socket.send(
            {"type": "message", "client_id": "c9", "text": "", "attachments": [attachment["id"]]}
        )
        socket.recv_until(is_type("ack", client_id="c9"))
    agent = client(world.a.email("trainee"))  # every role of the account may look
    page = agent.get(f"/console/c/{conversation_id}")
    assert f'src="/console/attachments/{attachment["id"]}"' in page.text
    served = agent.get(f"/console/attachments/{attachment['id']}")
    assert served.status_code == 200
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert client().get(f"/console/attachments/{attachment['id']}").status_code == 401


def test_a_trainee_cannot_attach_and_foreign_ids_are_refused(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id, _ = _handed_off(console_server, world)
    socket.close()
    trainee = client(world.a.email("trainee"))
    assert _upload(trainee, conversation_id, "a.png", _png()).status_code == 403
    agent = client(world.a.email("agent"))
    other, other_conversation, _ = _handed_off(console_server, world)
    other.close()
    elsewhere = _upload(agent, other_conversation, "a.png", _png()).json()
    wrong = agent.post(
        f"/console/c/{conversation_id}/reply", {"text": "x", "attachments": elsewhere["id"]}
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "bad_attachments")


def test_a_large_image_is_accepted(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id, _ = _handed_off(console_server, world)
    socket.close()
    agent = client(world.a.email("agent"))
    big = _png((400, 400), noise=True)
    assert len(big) > 200_000
    assert _upload(agent, conversation_id, "big.png", big).status_code == 201


def test_the_session_csrf_and_conversation_are_checked_before_the_body_is_read(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket_, conversation_id, _ = _handed_off(console_server, world)
    socket_.close()
    agent = client(world.a.email("agent"))
    cookie = f"{auth.SESSION_COOKIE}={agent.http.cookies[auth.SESSION_COOKIE]}"
    forged = {"Cookie": f"{auth.SESSION_COOKIE}=forged-session"}
    assert _answer_before_the_body(console_server, conversation_id, forged) == 401
    no_csrf = {"Cookie": cookie}
    assert _answer_before_the_body(console_server, conversation_id, no_csrf) == 403
    signed = {"Cookie": cookie, "X-CSRF-Token": agent.csrf}
    assert _answer_before_the_body(console_server, str(uuid.uuid4()), signed) == 404
    owner_b = client(world.b.email("owner"))
    b_cookie = f"{auth.SESSION_COOKIE}={owner_b.http.cookies[auth.SESSION_COOKIE]}"
    other_account = {"Cookie": b_cookie, "X-CSRF-Token": owner_b.csrf}
    assert _answer_before_the_body(console_server, conversation_id, other_account) == 404
    # The token only in the form would be read with the body: the header is required.
    in_form = agent.http.post(
        "/console/attachments",
        params={"conversation_id": conversation_id},
        files={"file": ("a.png", _png(), "image/png")},
        data={"csrf_token": agent.csrf},
    )
    assert (in_form.status_code, in_form.json()["error"]["code"]) == (403, "csrf")


def test_uploads_per_agent_are_limited(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket_, conversation_id, _ = _handed_off(console_server, world)
    socket_.close()
    agent = client(world.a.email("agent"))
    pdf = b"%PDF-1.4\n%%EOF\n"
    for _ in range(attachments.UPLOADS_PER_AGENT_PER_HOUR):
        assert _upload(agent, conversation_id, "a.pdf", pdf).status_code == 201
    refused = _upload(agent, conversation_id, "a.pdf", pdf)
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "rate_limited")
    assert int(refused.headers["retry-after"]) > 0
    colleague = client(world.a.email("agent2"))
    assert _upload(colleague, conversation_id, "a.pdf", pdf).status_code == 201


def test_cleaning_an_agents_file_holds_no_database_connection(
    console_server: ServerThread,
    world: World,
    client: Callable[..., ConsoleClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    socket_, conversation_id, _ = _handed_off(console_server, world)
    socket_.close()
    agent = client(world.a.email("agent"))
    started, release = threading.Event(), threading.Event()

    async def held_clean(data: bytes, _kind: object) -> bytes:
        started.set()
        await asyncio.to_thread(release.wait, 10)
        return data

    monkeypatch.setattr(sandbox, "clean", held_clean)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_upload, agent, conversation_id, "a.png", _png())
        assert started.wait(timeout=10)
        try:  # the console's SQLite has one connection: a transaction held would stall this
            began = time.monotonic()
            open_session(console_server.url, world.a.credentials)
            waited = time.monotonic() - began
        finally:
            release.set()
        assert pending.result().status_code == 201
    assert waited < 1.0
