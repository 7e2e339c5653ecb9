"""The per-account login throttle counts the account the database would
match, not the spelling sent (issue 17): on MariaDB collation-equal spellings
(accents, case) reach the same account, so they share one failure counter on
every database."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.throttles import login_identity, normalised_identity
from apps.core.tests.factories import UserFactory

PASSWORD = "pass-12345"
VARIANTS = (
    "dispatch.tan@example.com",
    "dispatch.tan@exámple.com",
    "dispatch.tan@éxample.com",
    "DISPATCH.TAN@EXAMPLE.COM",
    "Dispatch.Tan@Exámple.Com",
)


def login(email: str, password: str, address: str):
    return APIClient().post(
        "/api/auth/token/", {"email": email, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_normalised_identity_folds_case_and_strips_accents():
    assert {normalised_identity(v) for v in VARIANTS} == {"dispatch.tan@example.com"}
    assert normalised_identity("ＦＵＬＬ@example.com") == "full@example.com"  # NFKD: full-width letters


@pytest.mark.django_db
def test_variants_of_one_account_share_one_counter_keyed_on_the_user():
    user = UserFactory(email="dispatch.tan@example.com", role="supervisor")
    assert {login_identity(v) for v in VARIANTS} == {f"user:{user.pk}"}
    assert login_identity("nobody@exámple.com") == login_identity("NOBODY@example.com") == "email:nobody@example.com"


@pytest.mark.django_db
def test_twenty_guesses_across_spellings_of_one_account_are_throttled_after_the_limit():
    user = UserFactory(email="dispatch.tan@example.com", role="supervisor")
    other = UserFactory(email="other.lim@example.com", role="driver")
    limit = 5  # LOGIN_RATE_EMAIL default 5/15min
    statuses = [login(VARIANTS[i % len(VARIANTS)], f"guess-{i}", f"198.51.100.{i}").status_code for i in range(20)]
    assert statuses[:limit] == [401] * limit
    assert statuses[limit:] == [429] * (20 - limit)
    # the right password, in the plainest spelling, from a fresh address: still locked out
    assert login(user.email, PASSWORD, "192.0.2.200").status_code == 429
    # the lock-out is the account's, not everyone's
    assert login(other.email, PASSWORD, "192.0.2.201").status_code == 200


@pytest.mark.django_db
def test_the_per_ip_throttle_still_counts_every_attempt():
    UserFactory(email="dispatch.tan@example.com", role="supervisor")
    statuses = [login(f"someone{i}@example.com", "x", "203.0.113.9").status_code for i in range(31)]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", ["dispatch.tan@exámple.com", "dispatch.tan@éxample.com"])
def test_only_the_exact_address_signs_in_even_where_the_collation_matches_accents(spelling):
    """MariaDB's utf8mb4_unicode_ci finds the account for an accented
    spelling; the right password under that spelling still does not sign in."""
    UserFactory(email="dispatch.tan@example.com", role="supervisor")
    assert login(spelling, PASSWORD, "192.0.2.50").status_code == 401
    assert login("Dispatch.Tan@Example.com", PASSWORD, "192.0.2.51").status_code == 200  # case is not a spelling
