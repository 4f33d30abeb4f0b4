"""The attachment endpoints against a real server: real types only, own conversation only."""

from __future__ import annotations

import io
import uuid

import httpx
from PIL import Image

from shopchat.attachment import files
from tests.support.chat import bearer, open_session


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    exif[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPS latitude
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _upload(server, token: str, name: str, data: bytes, content_type: str = "image/png"):
    return httpx.post(
        f"{server.url}/api/v1/widget/attachments",
        files={"file": (name, data, content_type)},
        headers=bearer(token),
    )


def _token(server, sites) -> str:
    return open_session(server.url, sites.create())["session_token"]


def test_an_image_is_stored_without_its_metadata_and_served_to_its_conversation(server, sites):
    token = _token(server, sites)
    uploaded = _upload(server, token, "../../etc/My Photo.png", _jpeg_with_gps(), "image/png")
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert body["content_type"] == "image/jpeg"  # what the bytes are, not what was claimed
    assert body["name"] == "My Photo.jpg"
    served = httpx.get(f"{server.url}/api/v1/attachments/{body['id']}", headers=bearer(token))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert b"SecretCam" not in served.content
    assert not Image.open(io.BytesIO(served.content)).getexif()
    assert body["size"] == len(served.content)


def _served(server, token: str, uploaded: httpx.Response) -> httpx.Response:
    assert uploaded.status_code == 201, uploaded.text
    attachment = uploaded.json()["id"]
    served = httpx.get(f"{server.url}/api/v1/attachments/{attachment}", headers=bearer(token))
    assert served.status_code == 200
    return served


def test_gif_and_webp_images_are_stored_without_their_metadata(server, sites):
    token = _token(server, sites)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    gif, webp = io.BytesIO(), io.BytesIO()
    Image.new("P", (40, 30), 3).save(gif, "GIF", comment=b"home: Secret Street 1")
    Image.new("RGB", (40, 30), (9, 99, 199)).save(
        webp, "WEBP", exif=exif.tobytes(), xmp=b"<x:xmpmeta>Secret Street 1</x:xmpmeta>"
    )
    for pillow_format, data in (("GIF", gif.getvalue()), ("WEBP", webp.getvalue())):
        assert b"Secret" in data
        served = _served(server, token, _upload(server, token, "a.png", data))
        assert served.headers["content-type"] == f"image/{pillow_format.lower()}"
        assert b"Secret" not in served.content
        image = Image.open(io.BytesIO(served.content))
        assert (image.format, image.size) == (pillow_format, (40, 30))


def test_animated_gif_webp_and_png_keep_their_frames(server, sites):
    token = _token(server, sites)
    frames = [Image.new("RGB", (24, 16), color) for color in ("red", "lime", "blue")]
    for pillow_format in ("GIF", "WEBP", "PNG"):
        out = io.BytesIO()
        frames[0].save(
            out, pillow_format, save_all=True, append_images=frames[1:], duration=100, loop=0
        )
        served = _served(server, token, _upload(server, token, "a.gif", out.getvalue()))
        image = Image.open(io.BytesIO(served.content))
        assert (image.format, image.n_frames) == (pillow_format, 3)
        image.seek(2)
        red, _, blue = image.convert("RGB").getpixel((0, 0))  # type: ignore[misc]
        assert red < 16 and blue > 240  # the last frame is still blue (WebP is lossy)


def test_a_pdf_is_accepted_and_downloaded_as_an_attachment(server, sites):
    token = _token(server, sites)
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    uploaded = _upload(server, token, "invoice.pdf", pdf, "application/pdf")
    assert uploaded.status_code == 201
    served = httpx.get(
        f"{server.url}/api/v1/attachments/{uploaded.json()['id']}", headers=bearer(token)
    )
    assert served.content == pdf
    assert served.headers["content-disposition"].startswith("attachment;")


def test_a_disguised_executable_is_refused(server, sites):
    token = _token(server, sites)
    for disguised in (b"\x7fELF\x02\x01\x01" + bytes(100), b"MZ\x90\x00" + bytes(100)):
        response = _upload(server, token, "cute-cat.png", disguised)
        assert response.status_code == 415
        assert response.json()["error"]["code"] == "unsupported_type"


def test_a_broken_image_and_an_empty_file_are_bad_input(server, sites):
    token = _token(server, sites)
    broken = _upload(server, token, "x.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    assert (broken.status_code, broken.json()["error"]["code"]) == (400, "bad_image")
    empty = _upload(server, token, "empty.png", b"")
    assert (empty.status_code, empty.json()["error"]["code"]) == (400, "empty_file")
    no_file = httpx.post(
        f"{server.url}/api/v1/widget/attachments", data={"x": "1"}, headers=bearer(token)
    )
    assert (no_file.status_code, no_file.json()["error"]["code"]) == (400, "bad_upload")


def test_an_oversized_file_is_refused(server, sites):
    token = _token(server, sites)
    big = b"%PDF-1.4\n" + bytes(files.MAX_BYTES)
    response = _upload(server, token, "huge.pdf", big, "application/pdf")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"


def test_a_forged_or_missing_token_is_refused(server, sites):
    token = _token(server, sites)
    header, payload, _ = token.split(".")
    forged = f"{header}.{payload}.{'A' * 43}"
    assert _upload(server, forged, "a.png", b"\x89PNG").status_code == 401
    missing = httpx.post(
        f"{server.url}/api/v1/widget/attachments", files={"file": ("a.png", b"\x89PNG")}
    )
    assert missing.status_code == 401
    assert (
        httpx.get(f"{server.url}/api/v1/attachments/{uuid.uuid4()}", headers=bearer(forged))
    ).status_code == 401


def test_another_conversations_attachment_is_not_found(server, sites):
    credentials = sites.create()
    owner = open_session(server.url, credentials)["session_token"]
    stranger = open_session(server.url, credentials)["session_token"]
    other_site = _token(server, sites)
    pdf = b"%PDF-1.4\n%%EOF\n"
    attachment = _upload(server, owner, "private.pdf", pdf, "application/pdf").json()["id"]
    for token in (stranger, other_site):
        response = httpx.get(f"{server.url}/api/v1/attachments/{attachment}", headers=bearer(token))
        assert response.status_code == 404
    assert (
        httpx.get(f"{server.url}/api/v1/attachments/not-a-uuid", headers=bearer(owner))
    ).status_code == 404
    # ...nor can it be sent in another conversation's message.
    sent = httpx.post(
        f"{server.url}/api/v1/widget/messages",
        json={"client_id": "steal-1", "text": "", "attachments": [attachment]},
        headers=bearer(stranger),
    )
    assert sent.status_code == 400
    assert sent.json()["error"]["code"] == "bad_attachments"
