"""income.forms: each form offers what income.kinds allows and refuses anything else in the service's words."""

from datetime import date

from funds.models import Period
from income import kinds
from income.forms import FpnReturnForm, ReceiptForm


def test_the_receipt_form_offers_no_proceeds_of_crime_or_fixed_penalty_fund(core_fund, poca_fund, fpn_fund):
    assert [label for _, label in ReceiptForm().fields["fund"].choices] == [
        "Choose one", "MOJ-CORE – Victims' services core grant"]


def test_a_fund_not_offered_is_refused_with_the_services_message(poca_fund, year):
    form = ReceiptForm({"fund": poca_fund.pk, "reference": "R-1", "date": "01/05/2025", "amount": "5000.00"})
    assert form.errors["fund"] == [
        "POCA takes only proceeds of crime receipts, not cash receipts. Record this as a proceeds of crime receipt "
        "instead."]


def test_the_fixed_penalty_form_offers_only_months_that_have_ended(fpn_fund, year, monkeypatch):
    monkeypatch.setattr(kinds, "income_today", lambda: date(2025, 6, 15))
    labels = [label for _, label in FpnReturnForm().fields["period"].widget.choices]
    assert labels[-2:] == ["April 2025 (2025/26 P1)", "May 2025 (2025/26 P2)"]
    june = Period.objects.get(start_date=date(2025, 6, 1))
    form = FpnReturnForm({"fund": fpn_fund.pk, "reference": "F-1", "period": june.pk, "tickets": "1",
                          "gross_value": "100.00"})
    assert form.errors["period"] == [
        "June 2025 has not ended yet, so its fixed penalty return cannot be recorded before 01/07/2025, the day "
        "after the month ends."]
