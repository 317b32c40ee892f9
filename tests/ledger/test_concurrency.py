"""Many people approving at the same moment cannot together overspend a fund (PostgreSQL: real row locks)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from ledger.reference import ensure_reference_data
from ledger.selectors import fund_available
from ledger.verification import verify

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer and ignores SELECT ... FOR UPDATE, so a race cannot be shown on it; "
    "this test runs in CI's PostgreSQL leg.",
)

THREADS = 12
EACH = Decimal("30000.00")


@pytest.mark.django_db(transaction=True)
def test_racing_commitments_never_exceed_the_available_amount():
    ensure_reference_data()
    from core.roles import FINANCE_OFFICER
    from funds.calendar import year_open
    from funds.models import Fund, Funder
    from income.services import award_letter_record
    from tests.conftest import make_user

    officer = make_user("racer", FINANCE_OFFICER)
    year = year_open(start_year=2025)
    funder = Funder.objects.create(name="Ministry of Justice", kind="government")
    fund = Fund.objects.create(
        code="RACE", name="Race fund", funder=funder, purpose="Test", limit_basis="award", year_end_rule="return"
    )
    award_letter_record(
        fund=fund, year=year, reference="RACE-1", letter_date=date(2025, 4, 1), amount="100000.00", by=officer
    )

    barrier = threading.Barrier(THREADS)
    outcomes = []

    def approve():
        try:
            barrier.wait()
            entry_post(
                date=date(2025, 6, 1),
                description="Racing commitment",
                by=officer,
                legs=[Leg(acc.COMMITMENTS, fund, DEBIT, EACH), Leg(acc.COMMITMENT_CONTROL, fund, CREDIT, EACH)],
            )
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("ok") == 3  # 3 x £30,000 fit in £100,000; a fourth would not
    refusals = [o for o in outcomes if o != "ok"]
    assert len(refusals) == THREADS - 3
    assert all("£10,000.00 is available and this needs £30,000.00" in r for r in refusals)
    assert fund_available(fund=fund, year=year) == Decimal("10000.00")
    assert verify().problems == []


@pytest.mark.django_db(transaction=True)
def test_a_posting_that_races_a_month_close_is_refused_with_the_message_not_an_error():
    """The close holds every period row while it works; the posting waits for it (FOR SHARE on its period), then
    sees the month closed and refuses as it would have at any other moment, instead of meeting the trigger."""
    import time

    from django.db import transaction

    from core.roles import FINANCE_OFFICER
    from funds.calendar import periods_close_up_to, year_open
    from funds.models import Fund, Funder, Period
    from income.services import award_letter_record
    from ledger.models import JournalEntry
    from tests.conftest import make_user

    ensure_reference_data()
    officer = make_user("closer", FINANCE_OFFICER)
    year = year_open(start_year=2025)
    funder = Funder.objects.create(name="Ministry of Justice", kind="government")
    fund = Fund.objects.create(
        code="RACE", name="Race fund", funder=funder, purpose="Test", limit_basis="award", year_end_rule="return"
    )
    award_letter_record(
        fund=fund, year=year, reference="RACE-1", letter_date=date(2025, 4, 1), amount="100000.00", by=officer
    )
    june = Period.objects.get(year=year, number=3)
    closing = threading.Event()

    def close():
        try:
            with transaction.atomic():
                periods_close_up_to(period=june, by=officer, today=date(2025, 7, 3))
                closing.set()
                time.sleep(1.5)  # still closing while the posting arrives
        finally:
            connections.close_all()

    closer = threading.Thread(target=close)
    closer.start()
    assert closing.wait(30)
    with pytest.raises(ValidationError, match=r"P3 .* is closed, so nothing can be posted on 15/06/2025"):
        entry_post(date=date(2025, 6, 15), description="Racing the close", by=officer,
                   legs=[Leg(acc.COMMITMENTS, fund, DEBIT, EACH), Leg(acc.COMMITMENT_CONTROL, fund, CREDIT, EACH)])
    closer.join()
    assert not JournalEntry.objects.filter(date=date(2025, 6, 15)).exists()
    assert verify().problems == []
