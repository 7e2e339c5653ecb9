"""The PWA and the server must produce the same bytes for the same JSON, or no
signature would ever verify. The vectors are written by the frontend's tests
(frontend/src/offline/__fixtures__/canonical-vectors.json)."""

import json
from pathlib import Path

import pytest
import rfc8785
from django.conf import settings

from apps.sync.crypto import canonical_json

VECTORS = Path(settings.BASE_DIR) / "frontend" / "src" / "offline" / "__fixtures__" / "canonical-vectors.json"


def _vectors():
    if not VECTORS.exists():  # a checkout without the PWA: the inline vector still runs
        return [{"name": "inline", "input": {"b": [1, 0.5, "é"], "a": None}, "expected": '{"a":null,"b":[1,0.5,"é"]}'}]
    return json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]


@pytest.mark.parametrize("vector", _vectors(), ids=lambda v: v["name"])
def test_canonical_json_matches_the_pwa(vector):
    assert canonical_json(vector["input"]).decode("utf-8") == vector["expected"]


def test_the_vectors_file_is_there_and_plain_rfc8785_agrees_within_the_safe_integer_range():
    vectors = _vectors()
    assert len(vectors) >= 10
    checked = 0
    for vector in vectors:
        try:
            assert rfc8785.dumps(vector["input"]).decode("utf-8") == vector["expected"], vector["name"]
            checked += 1
        except rfc8785.IntegerDomainError:
            pass  # an integer beyond 2**53: a double in JS; canonical_json handles it as one
    assert checked >= len(vectors) - 1
