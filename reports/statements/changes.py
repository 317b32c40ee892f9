"""Changes in the period: the audit trail of funds, budgets, virements, forecasts, periods (and, where the grants
app provides them, grants and bank details) from django-simple-history.

Each row is one changed field (or one created or deleted record): when, who, what, why, before and after. Two
queries per kind of record (the records changed in the period, then their history up to the period's end so each
change can be compared with the version before it), plus one for names, whatever the number of changes.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from core.money import format_gbp
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
    masked: tuple = ()  # fields shown only by their last two characters (bank details)
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
            masked=("sort_code", "account_number"), skip=("entered_at", "verified_at")),
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


def _mask(text: str) -> str:
    return "" if not text else "*" * max(len(text) - 2, 2) + text[-2:]


def display(value, model_field, lookups: Lookups, users: dict) -> str:
    """A field's value as a finance director reads it."""
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        target = model_field.related_model
        if target is get_user_model():
            return users.get(value, f"user #{value}")
        label = target._meta.label
        if label == "funds.Fund":
            return lookups.fund_code(value)
        if label == "funds.BudgetLine":
            return lookups.line_label(value)
        if label == "funds.FinancialYear":
            return lookups.year_label(value)
        if label == "grants.Organisation":
            return lookups.organisation_name(value)
        if label == "grants.Grant":
            return f"G{value:05d}"
        if label == "grants.Decision":
            return lookups.decision_number(value)
        return f"{target._meta.verbose_name} #{value}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "amount") and hasattr(value, "currency"):
        return format_gbp(value.amount)
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if "percent" in model_field.name else str(value)
    return str(value)


def _compared_fields(model) -> list:
    """The fields whose changes are reported: concrete, not the id, not django-money's currency companions."""
    fields = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name.endswith("_currency"):
            continue
        fields.append(f)
    return fields


def _value(record, model_field):
    if isinstance(model_field, models.ForeignKey):
        return getattr(record, model_field.attname)
    return getattr(record, model_field.name)


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

    def _events(self, entry: Tracked, lookups: Lookups):
        p = self.params
        model = apps.get_model(entry.model)
        history = model.history.model
        in_window = history.objects.filter(history_date__gte=p.period_start, history_date__lte=p.known_at)
        if entry.year_scope is not None:
            in_window = entry.year_scope(in_window, p.year)
        records = history.objects.filter(
            id__in=in_window.values("id"), history_date__lte=p.known_at
        ).order_by("id", "history_date", "history_id")
        fields = [f for f in _compared_fields(model) if f.name not in entry.skip]
        previous = None
        for record in records:
            if previous is not None and previous.id != record.id:
                previous = None
            if record.history_date >= p.period_start:
                yield entry, record, previous, fields
            previous = record

    def rows(self):
        lookups = Lookups(known_at=self.params.known_at)
        events = []
        for order, entry in enumerate(self.tracked()):
            for item in self._events(entry, lookups):
                events.append((item[1].history_date, order, item[1].history_id, item))
        events.sort(key=lambda e: e[:3])
        user_ids = {item[1].history_user_id for *_, item in events if item[1].history_user_id}
        for item in events:
            entry, record, previous, fields = item[3]
            for f in fields:
                if isinstance(f, models.ForeignKey) and f.related_model is get_user_model():
                    value = getattr(record, f.attname)
                    if value:
                        user_ids.add(value)
        users = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
        for *_, (entry, record, previous, fields) in events:
            base = {
                "when": record.history_date, "who": users.get(record.history_user_id, "system"), "kind": entry.kind,
                "record": entry.describe(record, lookups), "change": CHANGE_TYPES.get(record.history_type, "?"),
                "why": record.history_change_reason or "",
            }
            if record.history_type == "+" or previous is None:
                if not entry.report_created and record.history_type == "+":
                    continue
                by_name = {f.name: f for f in fields}
                summary = "; ".join(
                    f"{capfirst(f.verbose_name)}: {self._shown(entry, f, record, lookups, users)}"
                    for f in (by_name[name] for name in entry.created if name in by_name)
                )
                yield Row(LINE, {**base, "after": summary})
                continue
            if record.history_type == "-":
                yield Row(LINE, base)
                continue
            for f in fields:
                if _value(record, f) != _value(previous, f):
                    yield Row(LINE, {
                        **base, "field": capfirst(f.verbose_name),
                        "before": self._shown(entry, f, previous, lookups, users),
                        "after": self._shown(entry, f, record, lookups, users),
                    })

    @staticmethod
    def _shown(entry, model_field, record, lookups, users) -> str:
        text = display(_value(record, model_field), model_field, lookups, users)
        return _mask(text) if model_field.name in entry.masked else text
