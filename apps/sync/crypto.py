"""The device signature: ECDSA P-256 / SHA-256 over the UTF-8 bytes of the
RFC 8785 canonical JSON of ``{"id", "type", "occurred_at", "payload"}``, sent
as WebCrypto's raw 64-byte r||s in standard base64."""

import base64
import binascii
import hashlib
import json
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

COORDINATE_BYTES = 32  # P-256


class InvalidKey(ValueError):
    pass


def _b64url_decode(value: Any) -> bytes:
    if not isinstance(value, str) or not value or len(value) > 64:
        raise InvalidKey("x and y must be base64url strings.")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise InvalidKey("x and y must be base64url strings.") from None


def public_key_from_jwk(jwk: Any) -> ec.EllipticCurvePublicKey:
    """The P-256 public key of a JWK, or InvalidKey when it is not a point on the curve."""
    if not isinstance(jwk, dict):
        raise InvalidKey("The key must be a JWK object.")
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise InvalidKey('Only EC keys on P-256 are accepted ("kty": "EC", "crv": "P-256").')
    if "d" in jwk:
        raise InvalidKey("Send the public key only; the private key must stay on the phone.")
    x, y = _b64url_decode(jwk.get("x")), _b64url_decode(jwk.get("y"))
    if len(x) != COORDINATE_BYTES or len(y) != COORDINATE_BYTES:
        raise InvalidKey("x and y must be 32 bytes each for P-256.")
    try:
        return ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()
    except ValueError:
        raise InvalidKey("The point is not on the P-256 curve.") from None


def _b64url(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(COORDINATE_BYTES, "big")).rstrip(b"=").decode()


def normalized_jwk(jwk: dict) -> dict:
    """The key in one spelling: x and y re-encoded from the point (base64url
    accepts several spellings of the same bytes)."""
    numbers = public_key_from_jwk(jwk).public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": _b64url(numbers.x), "y": _b64url(numbers.y)}


def key_thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, hex) of the point: equal for equal keys."""
    canonical = normalized_jwk(jwk)
    members = {"crv": canonical["crv"], "kty": canonical["kty"], "x": canonical["x"], "y": canonical["y"]}
    return hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).hexdigest()


MAX_SAFE_INTEGER = 2**53 - 1


def as_js_numbers(value: Any) -> Any:
    """JSON numbers as the phone saw them: JavaScript has only doubles, so an
    integer beyond 2**53 is a double there (Python's json keeps it an int,
    which rfc8785 refuses)."""
    if isinstance(value, dict):
        return {k: as_js_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_js_numbers(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        return float(value)
    return value


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes, the same as the PWA's canonicalize() for the same JSON text."""
    return rfc8785.dumps(as_js_numbers(value))


def signed_bytes(*, event_id: Any, event_type: Any, occurred_at: Any, payload: Any) -> bytes:
    """Exactly what the phone signed. Raises rfc8785's errors for values JSON
    cannot carry canonically (e.g. numbers beyond a double's range)."""
    return canonical_json({"id": event_id, "type": event_type, "occurred_at": occurred_at, "payload": payload})


def raw_signature_to_der(signature_b64: Any) -> bytes | None:
    if not isinstance(signature_b64, str) or len(signature_b64) > 200:
        return None
    try:
        raw = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 2 * COORDINATE_BYTES:
        return None
    r, s = int.from_bytes(raw[:COORDINATE_BYTES], "big"), int.from_bytes(raw[COORDINATE_BYTES:], "big")
    return encode_dss_signature(r, s)


def signature_valid(key: ec.EllipticCurvePublicKey, signature_b64: Any, message: bytes) -> bool:
    der = raw_signature_to_der(signature_b64)
    if der is None:
        return False
    try:
        key.verify(der, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
