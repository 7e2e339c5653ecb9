"""Peppol participant identifiers (InvoiceNow), checked in one place.

A participant id is ``<ICD scheme>:<value>``. Singapore's registry (SGNIC,
appointed by IMDA) composes it as ``0195:SG`` + a 3-letter category + the
entity code, e.g. ``0195:SGUEN200722935H`` for an ACRA-registered entity's
UEN (docs/einvoice.md, "Identifiers"). Only the Singapore scheme 0195 is
accepted here: every party this business invoices is registered in Singapore.
"""

import re

from django.core.exceptions import ValidationError

SG_SCHEME = "0195"
# SG + 3-letter registration category + up to 25 characters of the ISO/IEC 646 invariant set
_SG_VALUE = re.compile(r"^SG[A-Z]{3}[A-Z0-9]{1,25}$")
# UEN: business (8 digits + letter), local company (yyyy + 5 digits + letter),
# others (T/S/R yy + 2 letters + 4 digits + letter)
_UEN = re.compile(r"^(\d{8}[A-Z]|(19|20)\d{7}[A-Z]|[TSR]\d{2}[A-Z]{2}\d{4}[A-Z])$")


def uen_is_valid(uen: str) -> bool:
    return bool(_UEN.fullmatch((uen or "").strip().upper()))


def participant_for_uen(uen: str) -> str:
    """The participant id a Singapore entity is registered under with its UEN."""
    return f"{SG_SCHEME}:SGUEN{uen.strip().upper()}"


def uen_of_endpoint(endpoint: str) -> str:
    """The UEN inside a Singapore endpoint value (``SGUEN201912345K``), or ``""`` for another category."""
    return endpoint[5:] if endpoint.startswith("SGUEN") else ""


def split_participant(value: str) -> tuple[str, str]:
    """(scheme, endpoint value) of a valid participant id; ValidationError otherwise."""
    text = (value or "").strip()
    scheme, sep, endpoint = text.partition(":")
    if not sep or scheme != SG_SCHEME or not _SG_VALUE.fullmatch(endpoint):
        raise ValidationError(
            f"{text!r} is not a Singapore Peppol participant id: expected 0195:SG<category><id>, "
            "e.g. 0195:SGUEN201912345K.",
            code="invalid_peppol_id",
        )
    uen = uen_of_endpoint(endpoint)
    if uen and not uen_is_valid(uen):
        raise ValidationError(f"{uen!r} in {text!r} is not a valid UEN.", code="invalid_peppol_id")
    return scheme, endpoint


def validate_participant_id(value: str) -> None:
    """Model/serializer validator: blank is allowed (no e-invoicing)."""
    if value:
        split_participant(value)
