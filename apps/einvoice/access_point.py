"""The InvoiceNow access point behind one interface.

``AccessPoint.send`` hands one e-invoice to the access point (corner 2) and
answers what it said; ``status`` asks what became of it. The document's UUID
is the idempotency key: an access point that receives the same UUID again
answers the first result and sends nothing (the contract docs/einvoice.md
asks of any real adapter). ``HttpAccessPoint`` speaks a small JSON/XML HTTP
contract (the fake access point in the tests is a real HTTP server speaking
it); a vendor's API gets its own adapter class with the same two methods."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

ACCEPTED, DELIVERED, REJECTED, PENDING = "accepted", "delivered", "rejected", "pending"


class TransientError(Exception):
    """Try again later (timeout, connection refused, 5xx, 429)."""


@dataclass(frozen=True)
class Outcome:
    status: str  # accepted | delivered | rejected
    reference: str = ""
    reason: str = ""


class AccessPoint(Protocol):
    def send(self, *, document_uuid: str, sender: str, receiver: str, document_type: str, xml: bytes) -> Outcome:
        """Raises TransientError when the attempt should be retried."""
        ...  # pragma: no cover

    def status(self, *, document_uuid: str) -> Outcome: ...  # pragma: no cover


class HttpAccessPoint:
    """POST {url}/documents (body: the XML; headers: Idempotency-Key = UUID,
    X-Peppol-Sender, X-Peppol-Receiver, X-Document-Type), GET {url}/documents/<uuid>.
    2xx JSON {"id", "status": accepted|delivered|rejected, "reason"}; 409 the
    UUID was received before (its first answer in the body); 4xx a rejection;
    5xx, 429, timeouts: transient."""

    def __init__(self, url: str, token: str = "", timeout: float = 15.0):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _call(self, request: urllib.request.Request) -> Outcome:
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # http(s) from settings
                return self._outcome(response.status, response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read()
            if exc.code >= 500 or exc.code == 429:
                raise TransientError(f"access point answered {exc.code}: {body[:200]!r}") from exc
            if exc.code == 409:
                return self._outcome(200, body)
            return Outcome(REJECTED, reason=f"HTTP {exc.code}: {body[:500].decode('utf-8', 'replace')}")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise TransientError(f"access point unreachable: {exc}") from exc

    @staticmethod
    def _outcome(status: int, body: bytes) -> Outcome:
        try:
            data = json.loads(body or b"{}")
        except ValueError as exc:
            raise TransientError(f"access point answered {status} with a body that is not JSON") from exc
        state = str(data.get("status", ACCEPTED)).lower()
        if state not in (ACCEPTED, DELIVERED, REJECTED, PENDING):
            raise TransientError(f"access point answered an unknown status {state!r}")
        return Outcome(ACCEPTED if state == PENDING else state, str(data.get("id", "")), str(data.get("reason", "")))

    def send(self, *, document_uuid: str, sender: str, receiver: str, document_type: str, xml: bytes) -> Outcome:
        request = urllib.request.Request(  # noqa: S310
            f"{self.url}/documents", data=xml, method="POST",
            headers={"Content-Type": "application/xml", "Idempotency-Key": document_uuid, "X-Peppol-Sender": sender,
                     "X-Peppol-Receiver": receiver, "X-Document-Type": document_type},
        )  # fmt: skip
        return self._call(request)

    def status(self, *, document_uuid: str) -> Outcome:
        return self._call(urllib.request.Request(f"{self.url}/documents/{document_uuid}", method="GET"))  # noqa: S310


def configured_access_point() -> AccessPoint | None:
    """The access point of the settings; None: nothing is transmitted."""
    url = getattr(settings, "EINVOICE_AP_URL", "")
    if not url:
        return None
    return HttpAccessPoint(url, settings.EINVOICE_AP_TOKEN, settings.EINVOICE_AP_TIMEOUT_SECONDS)
