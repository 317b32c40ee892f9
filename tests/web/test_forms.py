"""core.forms: service refusals land on the field at fault; amounts and dates are read the British way."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from core.forms import AmountField, ConfirmField, Form, UKDateField, apply_service_errors, call_service


class PaymentForm(Form):
    amount = AmountField(label="Amount")
    paid_on = UKDateField(label="Paid on")
    note = forms.CharField(label="Note", required=False)
    confirm = ConfirmField(label="I confirm")


def bound(**data):
    base = {"amount": "1250.00", "paid_on": "31/03/2026", "confirm": "on"}
    base.update(data)
    form = PaymentForm(base)
    form.is_valid()
    return form


def test_amounts_are_parsed_exactly_with_pounds_and_commas():
    assert bound(amount="£1,250.50").cleaned_data["amount"] == Decimal("1250.50")


def test_an_amount_with_too_many_decimals_is_refused_and_the_typed_text_kept():
    form = bound(amount="12.345")
    assert form.errors["amount"] == ["£12.345 has more than two decimal places; amounts are in whole pence."]
    assert 'value="12.345"' in str(form["amount"])


def test_british_dates_are_read_day_first():
    assert bound(paid_on="01/04/2026").cleaned_data["paid_on"] == date(2026, 4, 1)
    assert bound(paid_on="31/02/2026").errors["paid_on"] == [
        "Enter a real date as day/month/year, for example 31/03/2026."
    ]


def test_irreversible_actions_need_the_box_ticked():
    assert bound(confirm="").errors["confirm"] == ["Tick the box to confirm; this action cannot be undone."]


def test_service_errors_go_to_their_field_or_to_the_summary():
    form = bound()
    apply_service_errors(form, ValidationError({"amount": "Only £10.00 is available.", "grant": "Not payable."}))
    apply_service_errors(form, ValidationError("The period is closed."))
    assert form.errors["amount"] == ["Only £10.00 is available."]
    assert form.non_field_errors() == ["Not payable.", "The period is closed."]
    assert form.error_summary() == [
        ("", "Not payable."),
        ("", "The period is closed."),
        ("id_amount", "Only £10.00 is available."),
    ]


def test_field_map_renames_a_service_field():
    form = bound()
    apply_service_errors(form, ValidationError({"paid_date": "Too early."}), field_map={"paid_date": "paid_on"})
    assert form.errors["paid_on"] == ["Too early."]


def test_call_service_returns_the_result_or_none_with_the_errors_on_the_form():
    form = bound()
    assert call_service(form, lambda **kw: kw["x"] * 2, x=21) == 42

    def refuse(**kw):
        raise ValidationError({"note": "Say why."})

    assert call_service(form, refuse) is None
    assert form.errors["note"] == ["Say why."]


def test_rendered_field_has_label_hint_error_and_described_by():
    form = bound(amount="abc")
    html = str(form["amount"].as_field_group())
    assert '<label for="id_amount">Amount</label>' in html
    assert '<p class="hint" id="id_amount_helptext">In pounds, for example 1250.00</p>' in html
    assert 'id="id_amount_error"' in html
    assert 'aria-describedby="id_amount_helptext id_amount_error"' in html
    assert 'aria-invalid="true"' in html


def test_the_form_starts_with_an_error_summary_linking_to_the_fields():
    html = str(bound(amount="", confirm=""))
    assert html.index("There is a problem") < html.index('<label for="id_amount">')
    assert '<a href="#id_amount">This field is required.</a>' in html
    assert '<a href="#id_confirm">Tick the box to confirm; this action cannot be undone.</a>' in html


def test_a_suppliers_payment_terms_are_read_by_the_figure_grammar(db):
    """Django's IntegerField took '١٢' (Arabic-Indic digits) and '１２' as 12; the terms are now read like every other
    count (core.forms.FigureField)."""
    from spending.forms import SupplierForm

    def terms(typed):
        form = SupplierForm({"payment_terms_days": typed})
        form.is_valid()
        return form.cleaned_data.get("payment_terms_days"), form.errors.get("payment_terms_days")

    assert terms("30") == (30, None)
    assert terms("١٢") == (None, ["'١٢' is not a whole number of days; write it with the digits 0-9, for example 30."])
    assert terms("121") == (None, ["'121' is more than the largest accepted (120); for example 30."])
    assert terms("1e26")[1] == ["'1e26' is not a whole number of days; write it with the digits 0-9, for example 30."]


def test_text_too_long_for_an_amount_is_refused_saying_the_largest_amount():
    assert bound(amount="9" * 5000).errors["amount"] == [
        "'99999999999999999999...' (5,000 characters) is too long to be an amount; the largest amount accepted is "
        "£99,999,999.99, for example 1250.00 or £1,250.00."
    ]
    assert 'maxlength="20"' in str(bound()["amount"])  # browsers still stop typing at 20
