"""RAG from thresholds held as data: the boundaries, the worse of two variances, and setting thresholds."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Event
from funds.selectors import Variance
from monitoring.models import RagThreshold
from monitoring.rag import AMBER, DEFAULT, GREEN, RED, ThresholdBook, line_rag, rag_level
from monitoring.services import rag_threshold_set


@pytest.mark.parametrize("amount, percent, expected", [
    ("5000.00", "5.00", AMBER),  # both amber figures reached exactly
    ("-5000.00", "-5.00", AMBER),  # an overspend counts the same way
    ("4999.99", "50.00", GREEN),  # the £ is not reached
    ("50000.00", "4.99", GREEN),  # the % is not reached
    ("10000.00", "10.00", RED),
    ("10000.00", "9.99", AMBER),
    ("-9999.99", "-80.00", AMBER),
    ("6000.00", None, AMBER),  # against a budget of nothing, any variance meets the %
    ("0.00", None, GREEN),
])
def test_a_variance_is_red_or_amber_only_when_both_the_percent_and_the_amount_are_reached(amount, percent, expected):
    gap = Variance(D(amount), None if percent is None else D(percent))
    assert rag_level(gap, DEFAULT) == expected


def test_a_line_takes_the_worse_of_its_variance_to_profile_and_its_forecast_variance():
    green, red = Variance(D("100.00"), D("1.00")), Variance(D("-20000.00"), D("-20.00"))
    assert line_rag(to_profile=green, forecast=red, thresholds=DEFAULT) == RED
    assert line_rag(to_profile=red, forecast=green, thresholds=DEFAULT) == RED
    assert line_rag(to_profile=green, forecast=None, thresholds=DEFAULT) == GREEN


def test_a_finance_director_sets_thresholds_with_a_reason_and_history(director, poca_fund):
    first = rag_threshold_set(amber_percent="5", amber_amount="5,000", red_percent="10", red_amount="10000",
                              by=director, reason="Agreed by the finance directors' group")
    again = rag_threshold_set(amber_percent="7.5", amber_amount="7500.00", red_percent="15", red_amount="15000",
                              by=director, reason="Fewer amber lines")
    own = rag_threshold_set(fund=poca_fund, amber_percent="50", amber_amount="20000", red_percent="80",
                            red_amount="30000", by=director, reason="POCA grants are paid in arrears")
    assert again.pk == first.pk and RagThreshold.objects.count() == 2
    assert [h.amber_percent for h in first.history.order_by("history_date")] == [D("5.00"), D("7.50")]
    assert first.history.latest().history_change_reason == "Fewer amber lines"
    book = ThresholdBook(timezone.now())
    assert book.for_fund(poca_fund.pk).red_amount == D("30000.00") and book.for_fund(None).amber_percent == D("7.50")
    assert book.for_fund(poca_fund.pk + 1000).amber_amount == D("7500.00")  # no own: the global ones
    assert own.fund == poca_fund and Event.objects.filter(kind="monitoring.threshold_set").count() == 3


def test_thresholds_are_read_as_known_at_a_moment(director):
    rag_threshold_set(amber_percent="5", amber_amount="5000", red_percent="10", red_amount="10000", by=director,
                      reason="First")
    between = timezone.now()
    rag_threshold_set(amber_percent="1", amber_amount="100", red_percent="2", red_amount="200", by=director,
                      reason="Second")
    assert ThresholdBook(between).for_fund(None).amber_amount == D("5000.00")
    assert ThresholdBook(timezone.now()).for_fund(None).amber_amount == D("100.00")


@pytest.mark.parametrize("values, field, message", [
    ({"red_percent": "4"}, "red_percent", "Red 4.00% is below amber 5.00%"),
    ({"red_amount": "4000"}, "red_amount", "Red £4,000.00 is below amber £5,000.00"),
    ({"amber_amount": "-5000"}, "amber_amount", "A threshold cannot be negative (-5000 was given)"),
    ({"amber_percent": D("-1")}, "amber_percent", "A threshold cannot be negative (-1 was given)"),
    ({"reason": " "}, "reason", "Say why the thresholds are set or changed"),
])
def test_bad_thresholds_are_refused_writing_nothing(director, nothing_written, values, field, message):
    good = {"amber_percent": "5", "amber_amount": "5000", "red_percent": "10", "red_amount": "10000",
            "reason": "Agreed"}
    with nothing_written(), pytest.raises(ValidationError) as refused:
        rag_threshold_set(by=director, **(good | values))
    assert message in " ".join(refused.value.message_dict[field])


def test_only_finance_directors_set_thresholds(officer, nothing_written):
    with nothing_written(), pytest.raises(PermissionDenied, match="Only finance directors may set RAG thresholds"):
        rag_threshold_set(amber_percent="5", amber_amount="5000", red_percent="10", red_amount="10000",
                          by=officer, reason="Agreed")


def test_a_second_global_set_of_thresholds_is_refused_by_the_model_and_the_database(director):
    rag_threshold_set(amber_percent="5", amber_amount="5000", red_percent="10", red_amount="10000", by=director,
                      reason="Agreed")
    second = RagThreshold(amber_percent=1, amber_amount=1, red_percent=2, red_amount=2, set_by=director,
                          set_at=timezone.now(), reason="Another")
    with pytest.raises(ValidationError, match="change them rather than adding a second set"):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    assert RagThreshold.objects.count() == 1
