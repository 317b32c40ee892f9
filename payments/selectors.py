"""Reading payment runs for pages: the list with counts and totals, and who could authorise a run."""

from django.db.models import Count, Q, Sum

from core.money import ZERO, quantize
from payments.models import DelegatedLimit, PaymentRun, PaymentRunItem

INCLUDED = Q(items__status=PaymentRunItem.Status.INCLUDED)


def runs_with_totals():
    """Every run, newest first, with its number of payments and total (payees taken out left out); one query."""
    runs = list(PaymentRun.objects.select_related("prepared_by", "authorised_by", "paid_by")
                .annotate(count=Count("items", filter=INCLUDED), total_amount=Sum("items__amount", filter=INCLUDED)))
    for run in runs:
        run.total = quantize(run.total_amount) if run.total_amount is not None else ZERO
    return runs


def delegated_limits():
    return list(DelegatedLimit.objects.select_related("user", "set_by").order_by("-amount", "user__username"))
