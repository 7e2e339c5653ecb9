"""What an uploaded proof image may be: a PNG signature or a JPEG photo,
within the size and pixel limits, decoded in full by Pillow before it is kept."""

import io
from dataclasses import dataclass

from PIL import Image

from apps.core.exceptions import ValidationFailed
from apps.deliveries.models import AttachmentKind


@dataclass(frozen=True)
class ImageRule:
    format: str  # Pillow's name
    content_type: str
    extension: str
    max_bytes: int
    max_side: int  # pixels, each side

    @property
    def max_kb(self) -> int:
        return self.max_bytes // 1024


RULES = {
    # The phone draws the signature on a canvas (PNG); 4096 px only bounds decoding.
    AttachmentKind.SIGNATURE: ImageRule("PNG", "image/png", "png", 200 * 1024, 4096),
    # The phone resizes photos to at most 1600 px and 500 KB before keeping them.
    AttachmentKind.PHOTO: ImageRule("JPEG", "image/jpeg", "jpg", 500 * 1024, 1600),
}
MAX_UPLOAD_BYTES = max(rule.max_bytes for rule in RULES.values())


def rule_for(kind: str) -> ImageRule:
    return RULES[AttachmentKind(kind)]


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"file": [message]})


def _jpeg_complete(data: bytes) -> bool:
    """The end-of-image marker follows the last scan. Needed because Pillow
    pads a truncated JPEG with grey instead of failing once
    ``ImageFile.LOAD_TRUNCATED_IMAGES`` is on, and WeasyPrint (the invoice
    PDFs, same process) turns it on globally. Inside a scan a 0xFF byte is
    always followed by 0x00 or a restart marker, so FF D9 there is the end."""
    last_scan = data.rfind(b"\xff\xda")
    return last_scan != -1 and data.rfind(b"\xff\xd9") > last_scan


def check_image(data: bytes, kind: str) -> tuple[int, int]:
    """(width, height) of a valid image of this kind; else 400 ``invalid`` on ``file``."""
    rule = rule_for(kind)
    noun = "A signature" if kind == AttachmentKind.SIGNATURE else "A photo"
    if len(data) > rule.max_bytes:
        raise _refuse(f"{noun} is at most {rule.max_kb} KB; this one is {len(data)} bytes.")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG", "JPEG"]) as image:
            found, (width, height) = image.format, image.size
    except Exception as exc:  # Pillow raises many kinds (UnidentifiedImageError, DecompressionBombError ...)
        raise _refuse(f"{noun} must be a {rule.format} image; these bytes are not an image.") from exc
    if found != rule.format:
        raise _refuse(f"{noun} must be a {rule.format} image, not {found}.")
    if width > rule.max_side or height > rule.max_side:
        raise _refuse(f"{noun} is at most {rule.max_side} px each side; this one is {width} x {height}.")
    if rule.format == "JPEG" and not _jpeg_complete(data):
        raise _refuse(f"{noun} is a damaged {rule.format} image (it is cut short).")
    try:
        with Image.open(io.BytesIO(data), formats=[rule.format]) as image:
            image.verify()  # structure and checksums
        with Image.open(io.BytesIO(data), formats=[rule.format]) as image:
            image.load()  # every pixel decodes (a truncated file fails here)
    except Exception as exc:
        raise _refuse(f"{noun} is a damaged {rule.format} image.") from exc
    return width, height
