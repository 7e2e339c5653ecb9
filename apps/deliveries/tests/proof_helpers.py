"""Real images for the proof-of-delivery tests, made with Pillow (awkward
sizes, never round numbers), and the delivery body that declares them."""

import hashlib
import io
import random

from PIL import Image, ImageDraw


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signature_png(width: int = 617, height: int = 233, seed: int = 7) -> bytes:
    """A drawn signature: a few strokes on white, as the phone's canvas gives it."""
    rng = random.Random(seed)
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(rng.randrange(width), rng.randrange(height)) for _ in range(23)]
    draw.line(points, fill=(17, 17, 17, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def photo_jpeg(width: int = 1279, height: int = 853, seed: int = 3, quality: int = 82, noise: bool = False) -> bytes:
    """A photo: a gradient with shapes (small), or noise (large at high quality)."""
    if noise:
        image = Image.frombytes("RGB", (width, height), random.Random(seed).randbytes(width * height * 3))
    else:
        image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        draw = ImageDraw.Draw(image)
        rng = random.Random(seed)
        for _ in range(11):
            x, y = rng.randrange(width), rng.randrange(height)
            draw.ellipse((x, y, x + 97, y + 61), fill=(rng.randrange(256), 120, 37))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def proof_body(*, signature: bytes | None = None, photos: tuple[bytes, ...] = (), **extra) -> dict:
    return {
        "recipient_name": "Tan Ah Kow",
        "signature_sha256": sha(signature) if signature is not None else None,
        "photo_sha256": [sha(p) for p in photos],
        "latitude": "1.3520831",
        "longitude": "103.8198361",
        "accuracy_m": "12.7",
        **extra,
    }


def attachment_url(delivery_id: int, digest: str) -> str:
    return f"/api/deliveries/{delivery_id}/attachments/{digest}/"


def put(client, delivery_id: int, data: bytes, content_type: str, digest: str | None = None):
    return client.put(attachment_url(delivery_id, digest or sha(data)), data=data, content_type=content_type)
