"""What every grants page shares: which grants a person may see, and reading a grant's schedule for display."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core.money import ZERO, quantize
from core.roles import COMMISSIONER, FINANCE_DIRECTOR, FINANCE_OFFICER, roles_of
from grants.models import Grant, Instalment, Payment
from grants.payments import instalment_pay_refusal


def visible_grants(user, queryset: QuerySet | None = None) -> QuerySet:
    """Finance officers and directors see every grant; commissioners see a grant once it has been submitted
    (a draft is the officer's work in progress, not yet theirs to see)."""
    queryset = queryset if queryset is not None else Grant.objects.all()
    mine = roles_of(user)
    if mine & {FINANCE_OFFICER, FINANCE_DIRECTOR}:
        return queryset
    if COMMISSIONER in mine:
        return queryset.exclude(status=Grant.Status.DRAFT)
    return queryset.none()


def grant_for(user, pk) -> Grant:
    return get_object_or_404(
        visible_grants(
            user,
            Grant.objects.select_related(
                "organisation", "service", "decision", "submitted_by", "approved_by", "created_by", "service_category"
            ),
        ),
        pk=pk,
    )


@dataclass
class InstalmentRow:
    instalment: Instalment
    paid: Decimal
    refusal: str | None  # why it cannot be paid today, in the payment service's own words (None: it can)

    @property
    def blockers(self) -> list[str]:
        """The refusal as a list, for pages that join several reasons."""
        return [self.refusal.rstrip(".")] if self.refusal else []

    @property
    def outstanding(self) -> Decimal:
        return self.instalment.amount.amount - self.paid

    @property
    def state(self) -> str:
        if self.outstanding <= 0:
            return "paid"
        if self.instalment.due_date <= timezone.localdate():
            return "due"
        return "scheduled"


def instalment_rows(grant: Grant, *, refusals: dict[int, str | None] | None = None) -> list[InstalmentRow]:
    """The grant's schedule with what is paid on each instalment and, for each, why it cannot be paid today
    (``grants.payments.instalment_pay_refusal``; pass ``refusals`` when ``grant_actions`` has already asked)."""
    instalments = list(
        grant.instalments.select_related("funding_line__fund", "year").order_by("due_date", "funding_line__fund__code")
    )
    paid = {
        row["instalment_id"]: quantize(row["s"])
        for row in Payment.objects.filter(grant=grant, reversal__isnull=True)  # reversed payments count nowhere
        .values("instalment_id").annotate(s=Sum("amount"))
    }
    rows = []
    for inst in instalments:
        inst.grant = grant
        refusal = refusals[inst.pk] if refusals is not None and inst.pk in refusals else \
            instalment_pay_refusal(instalment=inst)
        rows.append(InstalmentRow(inst, paid.get(inst.pk, ZERO), refusal))
    return rows


def confirm_page(
    request,
    *,
    form,
    title: str,
    grant: Grant,
    submit_label: str,
    lead: str = "",
    danger: bool = False,
    notice: str = "",
    cancel_url: str | None = None,
):
    from django.urls import reverse

    return render(
        request,
        "grants/confirm.html",
        {
            "form": form,
            "title": title,
            "grant": grant,
            "submit_label": submit_label,
            "lead": lead,
            "danger": danger,
            "notice": notice,
            "cancel_url": cancel_url or reverse("grants:detail", args=[grant.pk]),
        },
    )
