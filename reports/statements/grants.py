"""Grants statement: per provider and grant, the award (original and varied), what was paid, the commitment still
outstanding, outcome targets against what was achieved, cost per outcome, and the latest RAG status."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import Min, Sum
from django.utils import timezone

from core.money import ZERO, quantize
from ledger import accounts as acc
from ledger.models import JournalLine
from reports.registry import (
    LINE,
    MONEY,
    NUMBER,
    PERCENT,
    SUBTOTAL,
    TEXT,
    TOTAL,
    Column,
    Row,
    Statement,
    register,
)
from reports.snapshot import funds_as_of
from reports.statements.common import percent

MONEY_KEYS = ("original", "varied", "paid", "outstanding")


def grant_reference(grant_id: int) -> str:
    return f"G{grant_id:05d}"


def grant_ledger_figures(*, year, as_at, known_at) -> dict[str, dict[str, Decimal]]:
    """Per grant (id as text): net paid (grant expenditure, so clawbacks reduce it) and outstanding commitment,
    from the journal lines of the entries the grant services posted (approval, variations, payments, clawbacks,
    releases) dated by ``as_at`` and posted by ``known_at``. One grouped query."""
    rows = (
        JournalLine.objects.filter(
            entry__source_type="grants.grant", funding_year_id=year.pk, entry__date__lte=as_at,
            entry__posted_at__lte=known_at, account__code__in=[acc.COMMITMENTS, acc.GRANT_EXPENDITURE],
        )
        .values_list("entry__source_id", "account__code", "direction")
        .annotate(total=Sum("amount"))
    )
    figures = defaultdict(lambda: {"paid": ZERO, "outstanding": ZERO})
    for grant_id, code, direction, total in rows:
        signed = quantize(Decimal(str(total))) * (1 if direction == "D" else -1)  # SQLite sums decimals as floats
        figures[grant_id]["paid" if code == acc.GRANT_EXPENDITURE else "outstanding"] += signed
    return figures


#: Statuses whose business date the grant records (the history row's own moment stands for the others).
DATED_STATUSES = {"approved": "approved_on", "offer_accepted": "offer_accepted_on", "closed": "closed_on",
                  "withdrawn": "closed_on"}
#: Statuses that put a grant on the statement as at a date: awaiting a decision, or approved (its money counts).
AWAITING = ("submitted", "returned")


def grant_first_payment_dates(*, known_at) -> dict[str, object]:
    """Per grant (id as text): the date of its first payment (which made it active), from the journal entries the
    grant services posted by ``known_at``. One grouped query."""
    rows = (
        JournalLine.objects.filter(entry__source_type="grants.grant", entry__posted_at__lte=known_at,
                                   account__code=acc.GRANT_EXPENDITURE, direction="D")
        .values_list("entry__source_id")
        .annotate(first=Min("entry__date"))
    )
    return dict(rows)


def grant_statuses_as_at(records, *, as_at, first_payments) -> dict[int, str]:
    """Each grant's status on the as-at date, from its history rows as known at the known-at moment (``records``,
    oldest first). A status counts from its business date where the grant records one (approved on, offer accepted
    on, closed on; active from the first payment) and otherwise from the moment it was recorded; the latest status
    in the grant's history that had begun by the end of the as-at date is its status then. A grant none of whose
    statuses had begun is absent."""
    statuses: dict[int, str] = {}
    previous: dict[int, str] = {}
    for record in records:
        if previous.get(record.id) == record.status:
            continue
        previous[record.id] = record.status
        if record.status == "active":
            began = first_payments.get(str(record.id)) or timezone.localdate(record.history_date)
        else:
            field = DATED_STATUSES.get(record.status)
            began = (getattr(record, field) if field else None) or timezone.localdate(record.history_date)
        if began <= as_at:
            statuses[record.id] = record.status
    return statuses


@register
class GrantsStatement(Statement):
    key = "grants"
    order = 20
    title = "Grants statement"
    short_title = "Grants statement"
    description = (
        "Per provider and grant: grants that draw on the year's funds and had been approved, or were awaiting a "
        "decision, on the as-at date, as known at the known-at moment. Status is each grant's status on the as-at "
        "date (approval, acceptance and closing count from the dates recorded for them, the first payment makes a "
        "grant active), not its status now; a grant awaiting a decision shows no money. Original award is the "
        "year's funding as approved; varied award is the year's funding after approved variations. Paid is net of "
        "money clawed back, and outstanding commitment is what the ledger still holds committed for the grant, "
        "both from the grant's postings dated by the as-at date. Outcomes: one row per measure with a target for "
        "the year; achieved is the sum of accepted monitoring returns received by the as-at date; cost per outcome "
        "is paid divided by achieved. Latest RAG is from the latest return received by the as-at date (sent-back "
        "returns excluded)."
    )
    columns = [
        Column("provider", "Provider", TEXT, width=24),
        Column("grant", "Grant", TEXT, width=10),
        Column("title", "Title", TEXT, width=24),
        Column("status", "Status", TEXT, width=12),
        Column("funds", "Funds", TEXT, width=14),
        Column("original", "Original award", MONEY, summable=True, width=14),
        Column("varied", "Varied award", MONEY, summable=True, width=14),
        Column("paid", "Paid", MONEY, summable=True, width=14),
        Column("outstanding", "Outstanding commitment", MONEY, summable=True, width=14),
        Column("measure", "Outcome measure", TEXT, width=20),
        Column("target", "Target", NUMBER, width=9),
        Column("achieved", "Achieved", NUMBER, width=11),
        Column("achieved_pct", "Achieved %", PERCENT, width=11),
        Column("cost_per_outcome", "Cost per outcome", MONEY, width=12),
        Column("rag", "Latest RAG", TEXT, width=8),
        Column("rag_quarter", "RAG for", TEXT, width=11),
    ]

    @classmethod
    def available(cls) -> bool:
        try:
            apps.get_model("grants", "Grant")
        except LookupError:
            return False
        return True

    def rows(self):
        m = {name: apps.get_model("grants", name) for name in (
            "Grant", "Organisation", "FundingLine", "OutcomeTarget", "OutcomeMeasure", "MonitoringReturn",
            "ReturnValue")}
        p = self.params
        known = p.known_at
        funds = funds_as_of(known)
        # Whole-table reads filtered by year (no long IN lists), then narrowed here to the grants in scope.
        year_lines = m["FundingLine"].history.as_of(known).filter(year_id=p.year.pk)
        lines = defaultdict(list)
        for line in year_lines:
            lines[line.grant_id].append(line)
        grant_ids = year_lines.values("grant_id")
        status_at = grant_statuses_as_at(
            m["Grant"].history.filter(id__in=grant_ids, history_date__lte=known).order_by("history_date", "history_id"),
            as_at=p.as_at, first_payments=grant_first_payment_dates(known_at=known))
        grants = [g for g in m["Grant"].history.as_of(known).filter(id__in=grant_ids)
                  if (g.approved_on is not None and g.approved_on <= p.as_at) or status_at.get(g.pk) in AWAITING]
        in_scope = {g.pk for g in grants}
        organisations = {o.pk: o for o in m["Organisation"].history.as_of(known)}
        ledger = grant_ledger_figures(year=p.year, as_at=p.as_at, known_at=known)
        targets = defaultdict(list)
        for target in m["OutcomeTarget"].history.as_of(known).filter(year_id=p.year.pk):
            if target.grant_id in in_scope:
                targets[target.grant_id].append(target)
        measures = {ms.pk: ms for ms in m["OutcomeMeasure"].history.as_of(known)}
        returns = [r for r in m["MonitoringReturn"].history.as_of(known).filter(received_on__lte=p.as_at)
                   .exclude(status="returned") if r.grant_id in in_scope]
        accepted = {r.pk: r for r in returns if r.status == "accepted" and r.year_id == p.year.pk}
        achieved = defaultdict(lambda: ZERO)
        accepted_ids = (m["MonitoringReturn"].history.as_of(known)
                        .filter(year_id=p.year.pk, status="accepted", received_on__lte=p.as_at).values("id"))
        for value in m["ReturnValue"].history.as_of(known).filter(monitoring_return_id__in=accepted_ids):
            if value.monitoring_return_id in accepted:
                achieved[(accepted[value.monitoring_return_id].grant_id, value.measure_id)] += value.value
        latest = {}
        for ret in returns:
            key = (ret.received_on, ret.year_id, ret.quarter, ret.pk)
            if ret.grant_id not in latest or key > latest[ret.grant_id][0]:
                latest[ret.grant_id] = (key, ret)
        years = {y.pk: y.label for y in apps.get_model("funds", "FinancialYear").objects.all()}
        statuses = dict(m["Grant"].Status.choices)
        rags = {"green": "Green", "amber": "Amber", "red": "Red"}

        by_provider = defaultdict(list)
        for grant in grants:
            by_provider[grant.organisation_id].append(grant)
        provider_order = sorted(by_provider, key=lambda oid: (organisations[oid].name.lower(), oid))
        grand = defaultdict(lambda: ZERO)
        for org_id in provider_order:
            provider = organisations[org_id].name
            sums = defaultdict(lambda: ZERO)
            for grant in sorted(by_provider[org_id], key=lambda g: g.pk):
                grant_lines = sorted(lines[grant.pk], key=lambda line: funds[line.fund_id].code
                                     if line.fund_id in funds else "")
                status = status_at.get(grant.pk, grant.status)
                if status in AWAITING:  # not yet awarded on the as-at date: no award, nothing paid or committed
                    money = dict.fromkeys(MONEY_KEYS)
                else:
                    money = {
                        "original": sum((line.original_amount.amount for line in grant_lines), ZERO),
                        "varied": sum((line.amount.amount for line in grant_lines), ZERO),
                        "paid": ledger.get(str(grant.pk), {}).get("paid", ZERO),
                        "outstanding": ledger.get(str(grant.pk), {}).get("outstanding", ZERO),
                    }
                    for key in MONEY_KEYS:
                        sums[key] += money[key]
                rag = latest.get(grant.pk, (None, None))[1]
                base = {
                    "provider": provider, "grant": grant_reference(grant.pk), "title": grant.title,
                    "status": statuses.get(status, status),
                    "funds": ", ".join(funds[line.fund_id].code for line in grant_lines if line.fund_id in funds),
                    **money,
                    "rag": rags.get(rag.rag, rag.rag) if rag else "",
                    "rag_quarter": f"Q{rag.quarter} {years.get(rag.year_id, '')}" if rag else "",
                }
                grant_targets = sorted(targets.get(grant.pk, []),
                                       key=lambda t: measures[t.measure_id].code if t.measure_id in measures else "")
                if not grant_targets:
                    yield Row(LINE, base)
                    continue
                for index, target in enumerate(grant_targets):
                    measure = measures.get(target.measure_id)
                    done = achieved.get((grant.pk, target.measure_id), ZERO)
                    outcome = {
                        "measure": f"{measure.name} ({measure.unit})" if measure else "",
                        "target": target.target, "achieved": done, "achieved_pct": percent(done, target.target),
                        "cost_per_outcome": (money["paid"] / done).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                        if done else None,
                    }
                    if index == 0:
                        yield Row(LINE, {**base, **outcome})
                    else:  # further measures of the same grant: the money is on its first row only
                        yield Row(LINE, {"provider": provider, "grant": base["grant"], "title": grant.title,
                                         **outcome})
            for key in MONEY_KEYS:
                grand[key] += sums[key]
            yield Row(SUBTOTAL, {"provider": provider, "grant": "", "title": f"Total {provider}",
                                 **{key: sums[key] for key in MONEY_KEYS}})
        yield Row(TOTAL, {"provider": "All providers", "title": "Total all grants",
                          **{key: grand[key] for key in MONEY_KEYS}})
