"""What a file really is (magic bytes), and images re-encoded without their metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from shopchat.kit.errors import BadInput, ShopchatError

MAX_BYTES = 10 * 1024 * 1024
# Of one still image, and of all the frames of an animation together: each frame decodes
# to the whole canvas, so a tiny file of many frames costs what its canvases add up to.
MAX_PIXELS = 40_000_000
MAX_FRAMES = 200


class UnsupportedType(ShopchatError):
    status = 415
    code = "unsupported_type"


@dataclass(frozen=True, slots=True)
class FileType:
    content_type: str
    extension: str
    pillow_format: str | None  # None: not an image, stored as sent


PNG = FileType("image/png", "png", "PNG")
JPEG = FileType("image/jpeg", "jpg", "JPEG")
GIF = FileType("image/gif", "gif", "GIF")
WEBP = FileType("image/webp", "webp", "WEBP")
PDF = FileType("application/pdf", "pdf", None)
IMAGES = {kind.pillow_format: kind for kind in (PNG, JPEG, GIF, WEBP)}


def sniff(data: bytes) -> FileType:
    """The type the bytes say, whatever the name says; raise UnsupportedType otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    raise UnsupportedType("only PNG, JPEG, WebP and GIF images and PDF files can be sent")


def clean(data: bytes, kind: FileType) -> bytes:
    """Images re-encoded from their pixels (no EXIF, GPS, comments); PDFs as they are."""
    if kind.pillow_format is None:
        return data
    try:
        with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
            _check_size(image)
            return _reencode(image, kind)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise BadInput("the image could not be read", code="bad_image") from None


def _check_size(image: Image.Image) -> None:
    """Refuse by the header's canvas and frame count, before any pixel is decoded."""
    width, height = image.size
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_FRAMES:
        raise BadInput("the animation has too many frames", code="image_too_large")
    if frames * width * height > MAX_PIXELS:
        raise BadInput("image is too large", code="image_too_large")


_KEEP_INFO = ("transparency", "duration", "loop", "background", "disposal")


def _reencode(image: Image.Image, kind: FileType) -> bytes:
    out = io.BytesIO()
    if kind is JPEG:
        upright = ImageOps.exif_transpose(image)  # keep the photo's orientation, drop the tag
        if upright.mode not in {"RGB", "L", "CMYK"}:
            upright = upright.convert("RGB")
        upright.info = {}
        upright.save(out, "JPEG", quality=90)
        return out.getvalue()
    animated = bool(getattr(image, "is_animated", False))
    kept = {key: image.info[key] for key in _KEEP_INFO if key in image.info}
    if not animated:
        image = image.copy()
    image.info.clear()
    image.info.update(kept)
    image.save(out, kind.pillow_format, save_all=animated, **kept)
    return out.getvalue()
