"""Schema fuzzing (schemathesis 4) of every operation in /api/schema/, over
the real WSGI application, signed in as each role in turn, on whichever
database the suite runs against. Fails on any 5xx, any undocumented status
code or content type, any body that does not match the schema, and any
exception escaping the app. Bounded: FUZZ_EXAMPLES examples per operation
(each example is sent once per role)."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

ROLES = ("admin", "supervisor", "depot_staff", "driver", "finance")
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Logging out or changing a password would end the role's session mid-run;
# both are covered by apps/accounts/tests (garbage bodies included).
SKIPPED = {("POST", "/api/auth/logout/"), ("POST", "/api/me/password/")}


def _raw_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


# The coverage phase adds many boundary cases per operation regardless of
# max_examples; FUZZ_COVERAGE=1 turns it on for a deeper (slower) run.
_CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": os.environ.get("FUZZ_COVERAGE") == "1"}, "stateful": {"enabled": False}}}
)
schema = schemathesis.openapi.from_dict(_raw_schema(), config=_CONFIG)


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """The WSGI handler closes the database connection after each request
    (request_finished -> close_old_connections), which would end the test's
    transaction; Django's own test client suspends that the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world, wsgi_keeps_the_test_connection):
    from apps.billing.tests.helpers import deliver, load_vehicle

    load_vehicle(world, quantity=30)
    deliver(world)  # an invoice, a delivery, moves on a customer site
    return {role: str(RefreshToken.for_user(world.users[role]).access_token) for role in ROLES}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails_and_matches_its_schema(case, tokens):
    if (case.method.upper(), case.path) in SKIPPED:
        return
    for role in ROLES:
        case.call_and_validate(app=application, headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)
