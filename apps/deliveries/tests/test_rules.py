from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from apps.core.tests.factories import CustomerFactory
from apps.deliveries.rules import HouseholdHoursUnacknowledged, household_hours_check, household_hours_warning

SGT = ZoneInfo("Asia/Singapore")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hour", "minute", "warns"),
    [(6, 59, True), (7, 0, False), (12, 0, False), (20, 59, False), (21, 0, True), (23, 30, True), (0, 0, True)],
)
def test_household_hours(hour, minute, warns):
    home = CustomerFactory(kind="HOUSEHOLD")
    when = datetime(2026, 3, 2, hour, minute, tzinfo=SGT)
    assert (household_hours_warning(home, when) is not None) is warns
    assert household_hours_warning(CustomerFactory(kind="COMMERCIAL"), when) is None


@pytest.mark.django_db
def test_household_hours_uses_singapore_time_and_needs_acknowledgement():
    home = CustomerFactory(kind="HOUSEHOLD")
    late = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)  # 22:30 in Singapore
    assert "22:30" in household_hours_warning(home, late)
    assert household_hours_warning(home, datetime(2026, 3, 2, 1, 0, tzinfo=UTC)) is None  # 09:00 SGT
    with pytest.raises(HouseholdHoursUnacknowledged) as exc:
        household_hours_check(home, late, [])
    assert exc.value.code == "household_hours_unacknowledged" and exc.value.status_code == 422
    assert household_hours_check(home, late, ["household_hours"]).startswith("Household delivery at 22:30")
