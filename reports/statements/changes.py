"""Changes in the period: the audit trail of funds, budgets, virements, forecasts, periods (and, where the grants
app provides them, grants and bank details) from django-simple-history.

Each row is one changed field (or one created or deleted record): when, who, what, why, before and after, as the one
history-diff engine (``core.changes``) reads them: the same labels, values and masking (bank details' sort code and
account number, the model's ``sensitive_fields``) as the history pages and the grant timeline, in every format
(Excel, CSV and PDF are rendered from these rows). Names of funds, budget lines, years and organisations are as
known at the statement's moment. One query per kind of record (its history up to the known-at moment, for the
records changed in the period), plus one per kind of record named, whatever the number of changes.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.apps import apps

from core.changes import Names, diff_history
from funds.models import FinancialYear
from reports.registry import LINE, MOMENT, TEXT, Column, Row, Statement, register
from reports.snapshot import funds_as_of

CHANGE_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class Tracked:
    """A kind of record whose changes the statement reports."""

    model: str  # "app_label.ModelName"
    kind: str  # what a finance director calls it
    describe: object  # (history record, lookups) -> str
    created: tuple = ()  # fields summarised when a record is created
    report_created: bool = True
    year_scope: object = None  # (history queryset, year) -> history queryset, for records that belong to a year
    skip: tuple = ()


def _line_scope(field_name):
    def scope(queryset, year):
        line_ids = apps.get_model("funds", "BudgetLine").objects.filter(year_id=year.pk).values("id")
        return queryset.filter(**{f"{field_name}__in": line_ids})

    return scope


def _grant_scope(field_name):
    """Grants that draw on the year's funds."""

    def scope(queryset, year):
        grant_ids = apps.get_model("grants", "FundingLine").objects.filter(year_id=year.pk).values("grant_id")
        return queryset.filter(**{f"{field_name}__in": grant_ids})

    return scope


TRACKED: list[Tracked] = [
    Tracked("funds.Funder", "Funder", lambda r, lk: r.name, created=("name", "kind")),
    Tracked("funds.Fund", "Fund", lambda r, lk: f"{r.code} {r.name}",
            created=("code", "name", "limit_basis", "ring_fenced", "retained_share_percent")),
    Tracked("funds.Period", "Period", lambda r, lk: f"{lk.year_label(r.year_id)} P{r.number}", report_created=False,
            year_scope=lambda qs, year: qs.filter(year_id=year.pk)),
    Tracked("funds.BudgetLine", "Budget line", lambda r, lk: f"{lk.fund_code(r.fund_id)} {r.heading}",
            created=("original", "phasing"), year_scope=lambda qs, year: qs.filter(year_id=year.pk)),
    Tracked("funds.BudgetPhase", "Budget phasing", lambda r, lk: f"{lk.line_label(r.line_id)} slot {r.slot}",
            report_created=False, year_scope=_line_scope("line_id")),
    Tracked("funds.Virement", "Virement",
            lambda r, lk: f"{lk.line_label(r.from_line_id)} to {lk.line_label(r.to_line_id)}",
            created=("amount", "status", "reason"), year_scope=_line_scope("from_line_id")),
    Tracked("funds.Forecast", "Forecast", lambda r, lk: lk.line_label(r.line_id), created=("amount", "made_on", "note"),
            year_scope=_line_scope("line_id")),
    # The grants app's records, where it is installed (models that do not exist are skipped).
    Tracked("grants.Organisation", "Organisation", lambda r, lk: r.name, created=("name", "identifier")),
    Tracked("grants.BankDetails", "Bank details", lambda r, lk: lk.organisation_name(r.organisation_id),
            created=("account_name", "sort_code", "account_number", "status", "change_reason"),
            skip=("entered_at", "verified_at")),
    Tracked("grants.Grant", "Grant", lambda r, lk: f"G{r.id:05d} {r.title}",
            created=("title", "organisation", "allocation_method", "status"), year_scope=_grant_scope("id"),
            skip=("created_at", "submitted_at", "decided_at", "commitment_entry")),
    Tracked("grants.FundingLine", "Grant funding",
            lambda r, lk: f"G{r.grant_id:05d} {lk.fund_code(r.fund_id)} {lk.year_label(r.year_id)}",
            created=("fund", "year", "amount"), year_scope=lambda qs, year: qs.filter(year_id=year.pk)),
    Tracked("grants.GrantVariation", "Grant variation", lambda r, lk: f"Variation {r.id} of G{r.grant_id:05d}",
            created=("status", "reason"), skip=("before", "after", "requested_at", "decided_at", "entry"),
            year_scope=_grant_scope("grant_id")),
]


@dataclass
class Lookups:
    """Names for ids, loaded once, lazily, as known at the statement's moment."""

    known_at: datetime
    extra: dict = field(default_factory=dict)

    @cached_property
    def funds(self):
        return funds_as_of(self.known_at)

    @cached_property
    def lines(self):
        model = apps.get_model("funds", "BudgetLine")
        return {line.pk: line for line in model.history.as_of(self.known_at)}

    @cached_property
    def years(self):
        return {y.pk: y.label for y in FinancialYear.objects.all()}

    def fund_code(self, fund_id) -> str:
        fund = self.funds.get(fund_id)
        return fund.code if fund else f"fund #{fund_id}"

    def fund_name(self, fund_id) -> str:
        fund = self.funds.get(fund_id)
        return f"{fund.code} {fund.name}" if fund else f"fund #{fund_id}"

    def line_name(self, line_id) -> str:
        line = self.lines.get(line_id)
        if line is None:
            return f"budget line #{line_id}"
        return f"{self.fund_code(line.fund_id)} {self.year_label(line.year_id)} {line.heading}"

    def line_label(self, line_id) -> str:
        line = self.lines.get(line_id)
        return f"{self.fund_code(line.fund_id)} {line.heading}" if line else f"budget line #{line_id}"

    def year_label(self, year_id) -> str:
        return self.years.get(year_id, f"year #{year_id}")

    @cached_property
    def organisations(self):
        model = apps.get_model("grants", "Organisation")
        return {o.pk: o.name for o in model.history.as_of(self.known_at)}

    @cached_property
    def decisions(self):
        return dict(apps.get_model("grants", "Decision").objects.values_list("pk", "number"))

    def decision_number(self, decision_id) -> str:
        return f"Decision {self.decisions.get(decision_id, f'#{decision_id}')}"

    def organisation_name(self, organisation_id) -> str:
        return self.organisations.get(organisation_id, f"organisation #{organisation_id}")


class KnownNames(Names):
    """The engine's names, except funds, budget lines, years and organisations: as known at the moment (the same
    text as their ``str()``), so the statement produced again later reads the same."""

    def __init__(self, lookups: Lookups):
        super().__init__()
        self.lookups = lookups

    def fetch(self, model, ids: list) -> dict:
        lk = self.lookups
        label = model._meta.label
        if label == "funds.Fund":
            return {pk: lk.fund_name(pk) for pk in ids}
        if label == "funds.BudgetLine":
            return {pk: lk.line_name(pk) for pk in ids}
        if label == "funds.FinancialYear":
            return {pk: lk.year_label(pk) for pk in ids}
        if label == "grants.Organisation":
            return {pk: lk.organisation_name(pk) for pk in ids}
        return super().fetch(model, ids)


@register
class ChangesInPeriod(Statement):
    key = "changes"
    order = 50
    title = "Changes in the period"
    short_title = "Changes in the period"
    description = (
        "Every recorded change, from the start of the financial year to the known-at moment (the changes that shaped "
        "the figures of this pack), to funders, funds, periods, budget lines and their phasing, virements, forecasts "
        "and, where recorded, grants and bank details: when, who (user name), what, the reason given, and the value "
        "before and after. A record's creation is one row summarising it; each later change is a row per field. Bank "
        "account details are masked to their last two characters. Names of funds and budget lines are as known at the "
        "known-at moment."
    )
    columns = [
        Column("when", "When", MOMENT, width=16),
        Column("who", "Who", TEXT, width=12),
        Column("kind", "Record type", TEXT, width=14),
        Column("record", "Record", TEXT, width=28),
        Column("change", "Change", TEXT, width=9),
        Column("field", "Field", TEXT, width=14),
        Column("before", "Before", TEXT, width=22),
        Column("after", "After", TEXT, width=34),
        Column("why", "Why", TEXT, width=26),
    ]

    @staticmethod
    def tracked() -> list[Tracked]:
        found = []
        for entry in TRACKED:
            try:
                apps.get_model(entry.model)
            except LookupError:
                continue
            found.append(entry)
        return found

    def _history(self, entry: Tracked) -> list:
        """The history, up to the known-at moment, of the records of this kind changed in the period."""
        p = self.params
        history = apps.get_model(entry.model).history.model
        in_window = history.objects.filter(history_date__gte=p.period_start, history_date__lte=p.known_at)
        if entry.year_scope is not None:
            in_window = entry.year_scope(in_window, p.year)
        return list(history.objects.filter(id__in=in_window.values("id"), history_date__lte=p.known_at)
                    .order_by("id", "history_date", "history_id"))

    def rows(self):
        p = self.params
        tracked = self.tracked()
        sources = [(apps.get_model(entry.model), self._history(entry)) for entry in tracked]
        skip = {model: entry.skip for (model, _), entry in zip(sources, tracked, strict=True)}
        lookups = Lookups(known_at=p.known_at)
        diffs = diff_history(sources, skip=skip, names=KnownNames(lookups))
        events = []
        for order, (entry, changes) in enumerate(zip(tracked, diffs, strict=True)):
            for change in changes:
                if change.at >= p.period_start:
                    events.append((change.at, order, change.record.history_id, entry, change))
        events.sort(key=lambda e: e[:3])
        for *_, entry, change in events:
            record = change.record
            base = {
                "when": change.at, "who": change.who.get_username() if change.who else "system", "kind": entry.kind,
                "record": entry.describe(record, lookups), "change": change.action, "why": change.why,
            }
            if change.action == "Deleted":
                yield Row(LINE, base)
            elif record.history_type == "+" or not change.has_before:
                if record.history_type == "+" and not entry.report_created:
                    continue
                shown = (change.change(name) for name in entry.created)
                yield Row(LINE, {**base, "after": "; ".join(f"{c.label}: {c.after}" for c in shown if c)})
            else:
                for c in change.changes:
                    yield Row(LINE, {**base, "field": c.label, "before": c.before, "after": c.after})
