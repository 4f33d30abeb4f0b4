"""Sign-in, sessions, CSRF, rate limits, TOTP and revocation of the console."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from shopchat.console import totp
from shopchat.models import Event
from shopchat.settings import Settings
from tests.console.helpers import PASSWORD, ConsoleClient, World, run_db
from tests.support.server import ServerThread


def test_pages_need_sign_in(client: Callable[..., ConsoleClient]) -> None:
    anonymous = client()
    for path in ("/console", "/console/list", "/console/team", "/console/security"):
        response = anonymous.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/console/login"
    assert anonymous.post("/console/availability", {"availability": "online"}).status_code == 401


def test_cookie_is_httponly_lax_and_token_is_stored_hashed(
    client: Callable[..., ConsoleClient], world: World, console_settings: Settings
) -> None:
    agent = client()
    response = agent.login(world.a.email("agent"))
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http in tests; https sets Secure
    token = agent.http.cookies["sc_console"]

    async def hashes(session):  # type: ignore[no-untyped-def]
        from shopchat.models.tables import AgentSession

        return (await session.scalars(select(AgentSession.token_hash))).all()

    stored = run_db(console_settings, hashes)
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_wrong_password_is_refused_and_audited(
    client: Callable[..., ConsoleClient], world: World, console_settings: Settings
) -> None:
    response = client().login(world.a.email("agent"), password="wrong-password-1")
    assert response.status_code == 401 and "wrong email, password or code" in response.text
    unknown = client().login("nobody@nowhere.example")
    assert unknown.status_code == 401 and "wrong email, password or code" in unknown.text

    async def kinds(session):  # type: ignore[no-untyped-def]
        return (await session.scalars(select(Event.kind))).all()

    assert "agent.login_failed" in run_db(console_settings, kinds)


def test_login_without_matching_csrf_is_refused(console_server: ServerThread, world: World) -> None:
    import httpx

    with httpx.Client(base_url=console_server.url) as http:
        http.get("/console/login")
        response = http.post(
            "/console/login",
            data={"csrf_token": "forged", "email": world.a.email("agent"), "password": PASSWORD},
        )
    assert response.status_code == 403
    assert "sc_console" not in response.headers.get("set-cookie", "")


def test_every_post_needs_the_csrf_token(
    client: Callable[..., ConsoleClient], world: World
) -> None:
    owner = client(world.a.email("owner"))
    for path, form in (
        ("/console/availability", {"availability": "away"}),
        ("/console/teams", {"name": "Returns"}),
        ("/console/canned", {"shortcut": "hi", "text": "Hello"}),
        ("/console/logout", {}),
        (f"/console/agents/{world.a.agents['agent']}/revoke", {}),
        ("/console/security/totp", {"step": "start"}),
    ):
        refused = owner.post(path, form, csrf=False)
        assert refused.status_code == 403, path
        assert refused.json()["error"]["code"] == "csrf"
        wrong = owner.http.post(path, data={**form, "csrf_token": "x" * 64})
        assert wrong.status_code == 403, path
    assert owner.get("/console").status_code == 200  # still signed in


def test_login_attempts_are_rate_limited(
    client: Callable[..., ConsoleClient], world: World
) -> None:
    attacker = client()
    statuses = [
        attacker.login(world.a.email("agent"), password=f"guess-{i:04d}-xx").status_code
        for i in range(10)
    ]
    assert statuses[:8] == [401] * 8
    assert statuses[8:] == [429, 429]
    # Even the right password waits out the window: guessing gains nothing.
    last = attacker.login(world.a.email("agent"))
    assert last.status_code == 429 and "retry-after" in last.headers


def test_logout_ends_the_session(client: Callable[..., ConsoleClient], world: World) -> None:
    agent = client(world.a.email("agent"))
    cookie = agent.http.cookies["sc_console"]
    assert agent.post("/console/logout", fetch=False).status_code == 303
    agent.http.cookies.set("sc_console", cookie, path="/console")  # a copied cookie
    assert agent.get("/console").status_code == 303


def test_admin_revokes_an_agents_sessions(
    client: Callable[..., ConsoleClient], world: World, console_settings: Settings
) -> None:
    agent = client(world.a.email("agent"))
    owner = client(world.a.email("owner"))
    revoked = owner.post(f"/console/agents/{world.a.agents['agent']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked"] == 1
    assert agent.get("/console").status_code == 303
    # A plain agent may not revoke anyone; nor may an owner of another account.
    plain = client(world.a.email("agent2"))
    assert plain.post(f"/console/agents/{world.a.agents['owner']}/revoke").status_code == 403
    other = client(world.b.email("owner"))
    assert other.post(f"/console/agents/{world.a.agents['owner']}/revoke").status_code == 404
    assert owner.get("/console").status_code == 200

    async def audit(session):  # type: ignore[no-untyped-def]
        return (
            await session.scalars(select(Event).where(Event.kind == "agent.sessions_revoked"))
        ).all()

    events = run_db(console_settings, audit)
    assert len(events) == 1 and events[0].data["email"] == world.a.email("agent")


def test_totp_set_up_and_sign_in(client: Callable[..., ConsoleClient], world: World) -> None:
    import re

    agent = client(world.a.email("agent"))
    page = agent.post("/console/security/totp", {"step": "start"}, fetch=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)  # type: ignore[union-attr]
    assert (
        agent.post("/console/security/totp", {"step": "confirm", "code": "000000"}).status_code
        == 400
    )
    confirmed = agent.post(
        "/console/security/totp",
        {"step": "confirm", "code": totp.code_at(secret, totp.current_step())},
    )
    assert confirmed.status_code == 200

    fresh = client()
    asked = fresh.login(world.a.email("agent"))
    assert asked.status_code == 401 and "wrong email, password or code" in asked.text
    assert fresh.login(world.a.email("agent"), code="123456").status_code == 401
    step = totp.current_step() + 1  # a code from the next step (clock drift) is accepted
    assert fresh.login(world.a.email("agent"), code=totp.code_at(secret, step)).status_code == 303
    # The same code cannot be replayed.
    again = client()
    assert again.login(world.a.email("agent"), code=totp.code_at(secret, step)).status_code == 401


def test_totp_matches_rfc_6238_vectors() -> None:
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    for unix, expected in ((59, "287082"), (1111111109, "081804"), (2000000000, "279037")):
        assert totp.code_at(secret, unix // 30) == expected
    assert totp.verify(secret, "287082", now=59) == 1
    assert totp.verify(secret, "287082", now=59 + 30) == 1  # one step of clock drift
    assert totp.verify(secret, "287082", now=59 + 90) is None
    assert totp.verify(secret, "287082", after_step=1, now=59) is None  # used already
    assert totp.verify(secret, "28708", now=59) is None


def test_cookie_is_secure_behind_https(console_server: ServerThread, world: World) -> None:
    import httpx

    from tests.console.helpers import _CSRF_INPUT

    https = {"x-forwarded-proto": "https"}  # from 127.0.0.1, which uvicorn trusts
    with httpx.Client(base_url=console_server.url, headers=https) as http:
        page = http.get("/console/login")
        assert "Secure" in page.headers["set-cookie"]
        token = _CSRF_INPUT.search(page.text).group(1)  # type: ignore[union-attr]
        response = http.post(  # a Secure cookie is not sent over plain http: send it by hand
            "/console/login",
            data={"csrf_token": token, "email": world.a.email("agent"), "password": PASSWORD},
            headers={"cookie": f"sc_login_csrf={token}"},
        )
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def _wrong_guesses(attacker: ConsoleClient, email: str, count: int) -> list[int]:
    return [attacker.login(email, password=f"guess-{i:04d}-xx").status_code for i in range(count)]


def test_a_device_that_signed_in_before_is_not_locked_out_by_guessing(
    client: Callable[..., ConsoleClient], world: World
) -> None:
    email = world.a.email("agent")
    own_browser = client(email)  # signed in once (the first of 8 tries from unknown browsers)
    own_browser.post("/console/logout", fetch=False)
    attacker = client()
    assert _wrong_guesses(attacker, email, 8) == [401] * 7 + [429]
    assert attacker.login(email).status_code == 429  # a new device waits out the window
    assert own_browser.login(email).status_code == 303


def test_a_device_cookie_only_exempts_the_email_it_was_made_for(
    client: Callable[..., ConsoleClient], world: World
) -> None:
    email = world.a.email("agent")
    browser = client(world.a.email("agent2"))  # a device cookie, but for another email
    browser.post("/console/logout", fetch=False)
    forged = client()
    forged.http.cookies.set("sc_device", "x.1.y", path="/console")
    assert _wrong_guesses(client(), email, 8) == [401] * 8
    assert browser.login(email).status_code == 429
    assert forged.login(email).status_code == 429


def test_a_known_device_has_its_own_limit_of_guesses(
    client: Callable[..., ConsoleClient], world: World
) -> None:
    email = world.a.email("agent")
    browser = client(email)
    browser.post("/console/logout", fetch=False)
    assert _wrong_guesses(browser, email, 9) == [401] * 8 + [429]
    assert "sc_device" in browser.http.cookies


def _enable_totp(agent: ConsoleClient) -> str:
    import re

    page = agent.post("/console/security/totp", {"step": "start"}, fetch=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)  # type: ignore[union-attr]
    code = totp.code_at(secret, totp.current_step() - 1)
    assert agent.post("/console/security/totp", {"step": "confirm", "code": code}).is_success
    return secret


def _without_tokens(page: str) -> str:
    import re

    return re.sub(r'value="[^"]*"', 'value=""', page)


def test_a_sign_in_refusal_never_tells_that_the_password_was_right(
    client: Callable[..., ConsoleClient], world: World
) -> None:
    email = world.a.email("agent")
    _enable_totp(client(email))
    fresh = client()
    no_code = fresh.login(email)
    wrong_password = fresh.login(email, password="wrong-password-1", code="123456")
    wrong_code = fresh.login(email, code="123456")
    unknown = fresh.login("nobody@nowhere.example", code="123456")
    for response in (no_code, wrong_password, wrong_code, unknown):
        assert response.status_code == 401
        assert "wrong email, password or code" in response.text
    pages = {
        _without_tokens(r.text).replace("nobody@nowhere.example", email)
        for r in (no_code, wrong_password, wrong_code, unknown)
    }
    assert len(pages) == 1  # the same page, word for word, whatever was wrong


def test_turning_totp_off_needs_the_password_and_a_current_code(
    client: Callable[..., ConsoleClient], world: World, console_settings: Settings
) -> None:
    email = world.a.email("agent")
    agent = client(email)
    secret = _enable_totp(agent)
    code = totp.code_at(secret, totp.current_step())
    for form in (  # four refusals; the fifth try of the window is the right one
        {"password": PASSWORD},
        {"code": code},
        {"password": "wrong-password-1", "code": code},
        {"password": PASSWORD, "code": "000000"},
    ):
        refused = agent.post("/console/security/totp", {"step": "disable", **form})
        assert refused.status_code == 403, form
    assert "✔ On." in agent.get("/console/security").text
    assert agent.post(
        "/console/security/totp", {"step": "disable", "password": PASSWORD, "code": code}
    ).is_success
    assert "✔ On." not in agent.get("/console/security").text
    assert client().login(email).status_code == 303  # no code asked any more


def test_turning_totp_off_cannot_be_used_to_guess_the_password(
    client: Callable[..., ConsoleClient], world: World
) -> None:
    agent = client(world.a.email("agent"))
    secret = _enable_totp(agent)
    statuses = [
        agent.post(
            "/console/security/totp",
            {"step": "disable", "password": f"guess-{i:04d}-xx", "code": "000000"},
        ).status_code
        for i in range(6)
    ]
    assert statuses == [403] * 5 + [429]
    code = totp.code_at(secret, totp.current_step())
    right = {"step": "disable", "password": PASSWORD, "code": code}
    assert agent.post("/console/security/totp", right).status_code == 429
