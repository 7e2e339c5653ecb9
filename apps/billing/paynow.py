"""PayNow QR for an invoice: an EMVCo merchant-presented payload (SGQR) with
the supplier's UEN as proxy, the amount, the invoice number as reference and
editable=0, closed by a CRC16-CCITT checksum; drawn with segno."""

import base64
import io
from decimal import Decimal

import segno


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"EMVCo field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as EMVCo specifies."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _ascii(value: str, limit: int) -> str:
    return "".join(ch for ch in value if 32 <= ord(ch) < 127)[:limit]


def paynow_payload(*, uen: str, amount: Decimal, reference: str, merchant_name: str, city: str = "Singapore") -> str:
    merchant_account = (
        _tlv("00", "SG.PAYNOW")
        + _tlv("01", "2")  # proxy type 2 = UEN
        + _tlv("02", uen)
        + _tlv("03", "0")  # amount not editable
    )
    body = (
        _tlv("00", "01")  # payload format indicator
        + _tlv("01", "12")  # dynamic QR (one amount, one invoice)
        + _tlv("26", merchant_account)
        + _tlv("52", "0000")  # merchant category code
        + _tlv("53", "702")  # SGD
        + _tlv("54", f"{Decimal(amount):.2f}")
        + _tlv("58", "SG")
        + _tlv("59", _ascii(merchant_name, 25) or "Merchant")
        + _tlv("60", _ascii(city, 15))
        + _tlv("62", _tlv("01", _ascii(reference, 25)))  # bill number = invoice number
        + "6304"
    )
    return body + f"{crc16_ccitt(body.encode('ascii')):04X}"


def paynow_crc_ok(payload: str) -> bool:
    return payload[-8:-4] == "6304" and f"{crc16_ccitt(payload[:-4].encode('ascii')):04X}" == payload[-4:]


def qr_png(payload: str, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_png_data_uri(payload: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(payload)).decode("ascii")
