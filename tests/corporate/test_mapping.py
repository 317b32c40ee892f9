"""Keeping the mapping: finance officers only, clean codes, one mapping per account and fund (and one for all
funds), every change with who and why in its history; the database refuses what the service would."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.models import Event
from corporate.mapping import MappingLookup, mapping_create, mapping_delete, mapping_update
from corporate.models import GLMapping
from ledger import accounts as acc
from tests.corporate.conftest import account


def written():
    return GLMapping.objects.count(), GLMapping.history.count(), Event.objects.count()


@pytest.fixture
def cash_default(core_fund, officer):
    return mapping_create(account=account(acc.CASH), cost_centre="PCC100", subjective="10100", by=officer,
                          reason="Corporate chart 2025")


def test_a_mapping_is_added_with_who_and_why(cash_default, officer):
    record = cash_default.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+", officer, "Corporate chart 2025")
    event = Event.objects.get(kind="corporate.mapping_added")
    assert event.summary == f"{account(acc.CASH)} on all funds mapped to PCC100/10100"


def test_codes_are_trimmed_and_kept_as_typed(core_fund, officer):
    mapping = mapping_create(account=account(acc.CASH), fund=core_fund, cost_centre="  pcc-410 ",
                             subjective=" 52100\t", by=officer)
    assert (mapping.cost_centre, mapping.subjective) == ("pcc-410", "52100")


@pytest.mark.parametrize("cost_centre, subjective, message", [
    ("", "52100", "Enter the cost centre, for example PCC410."),
    ("PCC410", "  ", "Enter the subjective code, for example 52100."),
    ("PCC,410", "52100", "use only letters, digits and hyphens inside the code"),
    ("PCC410", "521\n00", "use only letters, digits and hyphens inside the code"),
    ("PCC 410", "52100", "use only letters, digits and hyphens inside the code"),
    ('PCC"410', "52100", "use only letters, digits and hyphens inside the code"),
    ("-PCC410", "52100", "use only letters, digits and hyphens inside the code"),
    ("PCC410", "５２１００", "use only letters, digits and hyphens inside the code"),
    ("P" * 21, "52100", "is 21 characters long; a cost centre has at most 20, for example PCC410"),
])
def test_bad_codes_are_refused_saying_what_would_do_and_nothing_is_written(core_fund, officer, cost_centre,
                                                                            subjective, message):
    before = written()
    with pytest.raises(ValidationError) as refused:
        mapping_create(account=account(acc.CASH), cost_centre=cost_centre, subjective=subjective, by=officer)
    assert message in " ".join(refused.value.messages)
    assert written() == before


def test_a_second_mapping_for_the_same_account_and_fund_is_refused(cash_default, core_fund, officer):
    mapping_create(account=account(acc.CASH), fund=core_fund, cost_centre="PCC110", subjective="10100", by=officer)
    before = written()
    with pytest.raises(ValidationError, match=r"on all funds is already mapped to PCC100/10100; change that"):
        mapping_create(account=account(acc.CASH), cost_centre="PCC200", subjective="10100", by=officer)
    with pytest.raises(ValidationError, match=r"on MOJ-CORE is already mapped to PCC110/10100; change that"):
        mapping_create(account=account(acc.CASH), fund=core_fund, cost_centre="PCC200", subjective="10100",
                       by=officer)
    assert written() == before


def test_the_database_keeps_one_mapping_per_account_and_fund_and_one_for_all_funds(cash_default, core_fund):
    GLMapping.objects.create(account=account(acc.CASH), fund=core_fund, cost_centre="A", subjective="1")
    for fund in (None, core_fund):
        with pytest.raises(IntegrityError), transaction.atomic():
            GLMapping.objects.create(account=account(acc.CASH), fund=fund, cost_centre="B", subjective="2")
    with pytest.raises(IntegrityError), transaction.atomic():
        GLMapping.objects.create(account=account(acc.GRANT_INCOME), cost_centre="PCC,1", subjective="2")
    assert GLMapping.objects.count() == 2


def test_only_finance_officers_change_the_mapping(cash_default, director, commissioner):
    before = written()
    for person in (director, commissioner, None):
        with pytest.raises(PermissionDenied, match="Only finance officers may change the corporate ledger mapping"):
            mapping_create(account=account(acc.GRANT_INCOME), cost_centre="PCC410", subjective="40000", by=person)
        with pytest.raises(PermissionDenied):
            mapping_update(mapping=cash_default, cost_centre="X", subjective="1", by=person, reason="r")
        with pytest.raises(PermissionDenied):
            mapping_delete(mapping=cash_default, by=person, reason="r")
    assert written() == before


def test_changing_codes_needs_a_reason_and_is_kept_in_history(cash_default, officer2):
    before = written()
    with pytest.raises(ValidationError, match="Say why the mapping is being changed"):
        mapping_update(mapping=cash_default, cost_centre="PCC101", subjective="10100", by=officer2, reason=" ")
    with pytest.raises(ValidationError, match="use only letters, digits and hyphens"):
        mapping_update(mapping=cash_default, cost_centre="PCC 101", subjective="10100", by=officer2, reason="x")
    assert written() == before
    mapping_update(mapping=cash_default, cost_centre="PCC101", subjective="10100", by=officer2,
                   reason="Cost centre renumbered")
    cash_default.refresh_from_db()
    assert cash_default.cost_centre == "PCC101"
    latest = cash_default.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.cost_centre) == (
        officer2, "Cost centre renumbered", "PCC101")
    assert Event.objects.get(kind="corporate.mapping_changed").summary.endswith(
        "now mapped to PCC101/10100 (was PCC100/10100)")


def test_removing_a_mapping_needs_a_reason_and_leaves_its_history(cash_default, officer):
    pk = cash_default.pk
    with pytest.raises(ValidationError, match="Say why the mapping is being removed"):
        mapping_delete(mapping=cash_default, by=officer, reason="")
    assert GLMapping.objects.filter(pk=pk).exists()
    mapping_delete(mapping=cash_default, by=officer, reason="Made in error")
    assert not GLMapping.objects.filter(pk=pk).exists()
    gone = GLMapping.history.filter(id=pk).first()
    assert (gone.history_type, gone.history_user, gone.history_change_reason) == ("-", officer, "Made in error")
    assert Event.objects.filter(kind="corporate.mapping_removed", object_id=str(pk)).exists()


def test_the_lookup_takes_the_funds_own_mapping_first(cash_default, core_fund, poca_fund, officer):
    own = mapping_create(account=account(acc.CASH), fund=poca_fund, cost_centre="PCC420", subjective="10100",
                         by=officer)
    lookup = MappingLookup()
    cash = account(acc.CASH).pk
    assert lookup.find(cash, poca_fund.pk) == own
    assert lookup.find(cash, core_fund.pk) == cash_default
    assert lookup.find(account(acc.GRANT_INCOME).pk, core_fund.pk) is None
