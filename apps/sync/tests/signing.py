"""Real device keys for tests: ECDSA P-256 from `cryptography`, signatures in
WebCrypto's raw r||s form, exactly what the phone sends. No mocks."""

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.utils import timezone

from apps.sync.crypto import canonical_json


def b64url(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()


@dataclass
class PhoneKey:
    private: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))

    @property
    def jwk(self) -> dict:
        numbers = self.private.public_key().public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": b64url(numbers.x), "y": b64url(numbers.y)}

    def sign(self, body: dict) -> str:
        der = self.private.sign(canonical_json(body), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()

    def event(
        self,
        event_type: str,
        payload: dict,
        *,
        event_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> dict:
        body = {
            "id": event_id or str(uuid.uuid4()),
            "type": event_type,
            "occurred_at": (occurred_at or timezone.now()).isoformat(),
            "payload": payload,
        }
        return {**body, "signature": self.sign(body)}


def register_device(client, key: PhoneKey, name: str = "Test phone") -> str:
    res = client.post("/api/devices/", {"name": name, "public_key_jwk": key.jwk}, format="json")
    assert res.status_code == 201, res.content
    return res.json()["id"]


def collection_payload(world, *, quantity: int = 1, vehicle=None, cylinder_type=None) -> dict:
    return {
        "vehicle": (vehicle or world.vehicle).pk,
        "items": [
            {
                "depot": world.depot.pk,
                "cylinder_type": (cylinder_type or world.gas).pk,
                "quantity": quantity,
                "movement_type": "COLLECTION",
            }
        ],
    }
