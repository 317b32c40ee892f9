"""The amount grammar x paths: what the demo once accepted as money (exponents, underscores, signs, misplaced commas,
other digits) is refused by the service, the web form and the import file alike, with the one message
``core.money.parse_amount`` gives, and nothing is written. Counts follow the same discipline (``parse_figure``).

The attempts are the income matrix's (tests/rules/test_income_matrix.py): a cash receipt on MOJ-CORE dated
02/03/2026, today pinned to 20/03/2026.
"""

from dataclasses import replace
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.money import parse_amount, parse_figure
from tests.rules.test_income_matrix import TRY, Attempt, pinned_today, world  # noqa: F401 (fixtures)
from tests.web.conftest import signed_in

RECEIPT = Attempt("receipt", "MOJ-CORE", date(2026, 3, 2))
FPN = Attempt("fpn", "FPN", date(2026, 2, 1))

BAD_AMOUNTS = ["1e6", "1.5e2", "0.001e3", "1_000", "+20", "£1,00,000", "١٢٣", "12.345", "-5.00", "0", "1e26",
               "100000000.00", "£12.00 USD"]


def the_grammar_says(raw: str) -> str:
    with pytest.raises(ValidationError) as refusal:
        parse_amount(raw)
    return refusal.value.message_dict["amount"][0]


@pytest.mark.parametrize("path", ["service", "web", "import"])
@pytest.mark.parametrize("raw", BAD_AMOUNTS)
def test_a_bad_amount_is_refused_on_every_path_with_the_grammars_message(world, officer, unchanged_database,  # noqa: F811
                                                                          raw, path):
    client = signed_in(officer)
    with unchanged_database():
        messages = TRY[path](world, officer, client, replace(RECEIPT, amount=raw))
    assert messages == [the_grammar_says(raw)]


@pytest.mark.parametrize("path", ["web", "import"])
@pytest.mark.parametrize("tickets", ["²", "١٢", "1e3", "-4", "12.5"])
def test_a_bad_count_of_tickets_is_refused_on_every_path(world, officer, unchanged_database, tickets, path,  # noqa: F811
                                                         monkeypatch):
    """The count goes in the web form's tickets field and the file's tickets column; both read it with the one
    figure grammar, so neither crashes on '²' (which str.isdigit() calls a digit) nor reads Arabic-Indic digits."""
    from tests.rules import test_income_matrix as matrix

    original_form, original_row = matrix.web_form, matrix.import_row
    monkeypatch.setattr(matrix, "web_form", lambda w, a: original_form(w, a) | {"tickets": tickets})
    monkeypatch.setattr(matrix, "import_row", lambda a: original_row(a) | {"tickets": tickets})
    client = signed_in(officer)
    with unchanged_database():
        messages = TRY[path](world, officer, client, FPN)
    with pytest.raises(ValidationError) as refusal:
        parse_figure(tickets, field="tickets", places=0, kind="a whole number of tickets", example="1380")
    expected = refusal.value.message_dict["tickets"][0]
    assert messages == [expected]


@pytest.mark.parametrize("raw", ["1e6", "1_000", "+20", "١٢٣", "٢٥", "99999999.00"])
def test_the_admin_cannot_set_a_funds_thresholds_or_share_at_all(core_fund, admin_user, raw):
    """The back office no longer edits a fund's control settings: they change only by a proposal another person
    approves (funds.controls, tests/funds/test_controls.py, which refuses bad values with the grammar's message and
    the allowed range). Whatever the admin posts for them, well formed or not, they stay as they were."""
    from django.forms.models import model_to_dict

    data = {k: v for k, v in model_to_dict(core_fund).items() if v is not None}
    data |= {"grant_approval_threshold_0": raw, "grant_approval_threshold_1": "GBP",
             "virement_threshold_0": raw, "virement_threshold_1": "GBP", "retained_share_percent": raw}
    response = signed_in(admin_user).post(f"/admin/funds/fund/{core_fund.pk}/change/", data)
    assert response.status_code == 302
    core_fund.refresh_from_db()
    assert (str(core_fund.grant_approval_threshold.amount), str(core_fund.virement_threshold.amount),
            str(core_fund.retained_share_percent)) == ("100000.00", "25000.00", "0.000")
