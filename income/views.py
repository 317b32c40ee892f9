"""Pages to record, read and reverse income: award letters, cash receipts, proceeds of crime receipts, fixed
penalty returns and course fees, and the pay-overs of HM Treasury's share of fines. Recording and reversing call
income.services, which posts to the ledger in the same transaction. Lists show reversed documents, marked; totals
count only the documents that stand."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.forms import call_service
from core.listing import Column, Listing
from core.money import ZERO, format_gbp, quantize
from core.permissions import role_required
from core.roles import FINANCE_DIRECTOR, FINANCE_OFFICER, FINANCE_OFFICERS, has_role
from funds.forms import YearFundFilter
from funds.selectors import current_year, year_by_start
from income import kinds, services
from income.forms import (
    AwardLetterForm,
    FeeReceiptForm,
    FpnReturnForm,
    PocaReceiptForm,
    ReceiptForm,
    ReverseForm,
    TreasuryPayOverForm,
)
from income.models import AwardLetter, CashReceipt, FeeReceipt, FpnReturn, PocaReceipt, TreasuryPayOver
from income.selectors import treasury_owed_by_fund

INCOME_READERS = (FINANCE_OFFICER, FINANCE_DIRECTOR)


def _d(obj, name):
    return getattr(obj, name).strftime("%d/%m/%Y")


def _money(obj, name):
    return format_gbp(getattr(obj, name).amount)


class KindColumn(NamedTuple):
    """A column of a kind's list: its heading, the text shown, whether it is a number, how to sort by it (a field,
    or None) and its value for CSV (a Decimal, a date, a number or text)."""

    heading: str
    show: Callable
    numeric: bool
    order: str | None
    raw: Callable


def _date_column(heading, name):
    return KindColumn(heading, lambda o: _d(o, name), False, name, lambda o: getattr(o, name))


def _money_column(heading, name):
    return KindColumn(heading, lambda o: _money(o, name), True, name, lambda o: getattr(o, name).amount)


def _count_column(heading, name):
    return KindColumn(heading, lambda o: f"{getattr(o, name):,}", True, name, lambda o: getattr(o, name))


@dataclass(frozen=True)
class Kind:
    slug: str
    income: kinds.IncomeKind | None  # the one definition of the kind's rules (None for money paid out, PAID_OUT)
    model: type
    form: type
    service: object
    title: str
    one: str
    columns: tuple  # KindColumn: heading, the text shown, numeric, sort field, CSV value
    reverse: tuple  # (service that reverses one, the service's name for the document)
    search: tuple = ("reference", "description")
    related: tuple = ()
    field_map: dict | None = None
    total_field: str = "amount"
    shows_treasury_owed: bool = False  # the list page shows what each fixed penalty fund owes HM Treasury


KINDS = {
    k.slug: k
    for k in (
        Kind(
            "award-letters",
            kinds.AWARD,
            AwardLetter,
            AwardLetterForm,
            services.award_letter_record,
            "Award letters",
            "award letter",
            (
                _date_column("Letter date", "letter_date"),
                KindColumn("Year", lambda o: o.year.label, False, "year__start_year", lambda o: o.year.label),
                _money_column("Amount", "amount"),
            ),
            (services.award_letter_reverse, "award_letter"),
            related=("year",),
        ),
        Kind(
            "receipts",
            kinds.RECEIPT,
            CashReceipt,
            ReceiptForm,
            services.receipt_record,
            "Cash receipts",
            "cash receipt",
            (
                _date_column("Date", "date"),
                KindColumn("Award letter", lambda o: o.award_letter.reference if o.award_letter_id else "—", False,
                           "award_letter__reference", lambda o: o.award_letter.reference if o.award_letter_id else ""),
                _money_column("Amount", "amount"),
            ),
            (services.receipt_reverse, "receipt"),
            related=("award_letter",),
        ),
        Kind(
            "poca",
            kinds.POCA,
            PocaReceipt,
            PocaReceiptForm,
            services.poca_receipt_record,
            "Proceeds of crime receipts",
            "proceeds of crime receipt",
            (
                _date_column("Date", "date"),
                KindColumn("Case", lambda o: o.case_reference, False, "case_reference", lambda o: o.case_reference),
                _money_column("Gross recovered", "gross_recovered"),
                KindColumn("Share", lambda o: f"{o.agency_share_percent.normalize():f}%", True,
                           "agency_share_percent", lambda o: f"{o.agency_share_percent.normalize():f}"),
                _money_column("Received", "amount"),
            ),
            (services.poca_receipt_reverse, "receipt"),
            search=("reference", "description", "case_reference"),
        ),
        Kind(
            "fpn",
            kinds.FPN,
            FpnReturn,
            FpnReturnForm,
            services.fpn_return_record,
            "Fixed penalty returns",
            "fixed penalty return",
            (
                KindColumn("Month", lambda o: o.period.start_date.strftime("%B %Y"), False, "period__start_date",
                           lambda o: o.period.start_date.strftime("%B %Y")),
                _count_column("Tickets", "tickets"),
                _money_column("Gross", "gross_value"),
                _money_column("Retained", "retained"),
                _money_column("Owed to HM Treasury", "owed_to_treasury"),
            ),
            (services.fpn_return_reverse, "fpn_return"),
            related=("period",),
            field_map={"month_start": "period"},
            total_field="retained",
            shows_treasury_owed=True,
        ),
        Kind(
            "fees",
            kinds.FEE,
            FeeReceipt,
            FeeReceiptForm,
            services.fee_receipt_record,
            "Course fees",
            "course fee receipt",
            (
                _date_column("Date", "date"),
                _count_column("Courses", "courses"),
                _money_column("Amount", "amount"),
            ),
            (services.fee_receipt_reverse, "receipt"),
        ),
    )
}

# Money paid out, not income: same pages (list, record, read, reverse), kept apart from the kinds of income.
PAID_OUT = {
    k.slug: k
    for k in (
        Kind(
            "treasury",
            None,
            TreasuryPayOver,
            TreasuryPayOverForm,
            services.treasury_payover_record,
            "Pay-overs to HM Treasury",
            "pay-over to HM Treasury",
            (
                _date_column("Date paid", "date"),
                _money_column("Amount", "amount"),
            ),
            (services.treasury_payover_reverse, "payover"),
            shows_treasury_owed=True,
        ),
    )
}


def _kind(slug) -> Kind:
    kind = KINDS.get(slug) or PAID_OUT.get(slug)
    if kind is None:
        raise Http404("No such kind of income.")
    return kind


def kind_listing(kind: Kind) -> Listing:
    """A kind's list: reference, fund, the kind's own columns (keys c0, c1, ...), the journal entry."""
    own = tuple(Column(f"c{n}", c.heading, order=c.order, value=c.raw, num=c.numeric)
                for n, c in enumerate(kind.columns))
    return Listing(kind.slug, (
        Column("reference", "Reference", order="reference"),
        Column("fund", "Fund", order="fund__code", value="fund.code"),
        *own,
        Column("entry", "Journal entry", order="entry_id", value="entry.reference"),
        Column("reversed_by", "Reversed by", order="reversal_id",
               value=lambda o: o.reversal.reference if o.reversal_id else ""),
    ))


def _documents(kind: Kind):
    return kind.model.objects.select_related("fund", "entry__year", "reversal__year", "recorded_by", *kind.related)


@role_required(*INCOME_READERS)
@require_GET
def income_index(request):
    """What each kind brought in this year: the documents that stand (reversed ones count nowhere)."""
    year = current_year()
    summary = []
    for kind in (*KINDS.values(), *PAID_OUT.values()):
        totals = kind.model.objects.standing().filter(entry__year=year).aggregate(
            n=Count("id"), total=Sum(kind.total_field)
        )
        summary.append({"kind": kind, "count": totals["n"], "total": quantize(totals["total"] or ZERO)})
    return render(
        request,
        "income/index.html",
        {"summary": [s for s in summary if s["kind"].income], "paid_out": [s for s in summary if not s["kind"].income],
         "year": year},
    )


@role_required(*INCOME_READERS)
@require_GET
def income_list(request, kind):
    kind = _kind(kind)
    filters = YearFundFilter(request.GET, all_years=True, search_label="Search references")
    qs = _documents(kind)
    if year := year_by_start(filters.value("year")):
        qs = qs.filter(entry__year=year)
    if code := filters.value("fund"):
        qs = qs.filter(fund__code=code)
    if text := filters.value("q"):
        query = Q()
        for name in kind.search:
            query |= Q(**{f"{name}__icontains": text})
        qs = qs.filter(query)
    listing = kind_listing(kind)
    table = listing.table(request, qs, default=("-entry__date", "-id"))
    if table.download:
        return table.response()
    rows = [(doc, [(c.show(doc), c.numeric) for c in kind.columns]) for doc in table.rows]
    owed = treasury_owed_by_fund() if kind.shows_treasury_owed else []
    return render(
        request,
        "income/list.html",
        {"kind": kind, "filters": filters, "table": table, "page_obj": table.page_obj, "rows": rows,
         "kind_keys": [f"c{n}" for n in range(len(kind.columns))], "treasury_owed": owed,
         "treasury_kind": PAID_OUT["treasury"]},
    )


@role_required(*FINANCE_OFFICERS)
def income_create(request, kind):
    kind = _kind(kind)
    form = kind.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        doc = call_service(form, kind.service, field_map=kind.field_map, by=request.user, **form.service_kwargs())
        if doc:
            messages.success(request, services.income_confirmation(doc))
            return redirect("income:detail", kind=kind.slug, pk=doc.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"Record {'an' if kind.one[0] in 'aeiou' else 'a'} {kind.one}",
            "submit_label": f"Record {kind.one}",
            "cancel_url": reverse("income:list", args=[kind.slug]),
            "lead": "It is posted to the ledger as soon as you record it. A mistake is corrected later by a reversing "
            "entry, so check the figures first.",
        },
    )


def _detail_page(request, kind: Kind, doc, form=None):
    """The document's page; for a finance officer, the Reverse form, or why it cannot be reversed."""
    facts = [(c.heading, c.show(doc)) for c in kind.columns]
    context = {"kind": kind, "doc": doc, "facts": facts}
    if has_role(request.user, *FINANCE_OFFICERS) and not doc.is_reversed:
        context["reversal_refusal"] = services.income_reversal_refusal(doc)
        if not context["reversal_refusal"] or (form is not None and form.is_bound):
            context["reverse_form"] = form or ReverseForm()
    return render(request, "income/detail.html", context)


@role_required(*INCOME_READERS)
@require_GET
def income_detail(request, kind, pk):
    kind = _kind(kind)
    return _detail_page(request, kind, get_object_or_404(_documents(kind), pk=pk))


@role_required(*FINANCE_OFFICERS)
def income_reverse(request, kind, pk):
    """Reverse the document (the form is on its page): the service refuses with what to do instead."""
    kind = _kind(kind)
    doc = get_object_or_404(_documents(kind), pk=pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service, name = kind.reverse
        done = call_service(
            form, service, field_map={"date": "on"}, by=request.user, reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"], **{name: doc},
        )
        if done:
            messages.success(
                request, f"{done} reversed by journal entry {done.reversal.reference}. It stays on record, marked "
                "reversed, and no longer counts."
            )
            return redirect("income:detail", kind=kind.slug, pk=doc.pk)
    return _detail_page(request, kind, doc, form=form)
