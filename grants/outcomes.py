"""Outcomes: what each fund asks providers to report (measures), targets per grant and year, the quarterly
monitoring returns a finance officer accepts or sends back, and the annual review of each grant."""

from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import gbp, parse_amount, parse_figure
from core.refusals import Refusals
from core.roles import (
    FINANCE_OFFICERS,
    OFFICERS_AND_COMMISSIONERS,
    PROVIDERS,
    require_role,
)
from funds.models import FinancialYear, Fund
from grants.models import AnnualReview, Grant, MonitoringReturn, OutcomeMeasure, OutcomeTarget, ReturnValue
from grants.providers import acts_in_portal_for
from grants.quarters import Quarter, quarter_end_phrase, quarters_within, reporting_end, year_overlaps

S = Grant.Status
REPORTING = (S.OFFER_ACCEPTED, S.ACTIVE, S.CLOSED)
ONE_DAY = timedelta(days=1)
LIVE = (S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.OFFER_ACCEPTED, S.ACTIVE)


# The largest figure a return or a target may hold (people, referrals, sessions): far above any real service.
OUTCOME_FIGURE_MAX = Decimal("9999999999.99")


def _number(raw, *, field: str) -> Decimal:
    """A reported figure or a target: 0 or more, at most two decimal places, in the one figure grammar."""
    return parse_figure(raw, field=field, places=2, maximum=OUTCOME_FIGURE_MAX, example="120")


@transaction.atomic
def outcome_measure_create(*, fund: Fund, code: str, name: str, by, unit: str = "people",
                           description: str = "") -> OutcomeMeasure:
    """Define something a fund's providers report on (e.g. MOJ-CORE 'feel-safer': people feeling safer)."""
    require_role(by, FINANCE_OFFICERS, doing="define outcome measures")
    code = (code or "").strip().lower()
    name = (name or "").strip()
    if not code or not name:
        raise ValidationError(
            {"name": "Give the measure a short code and a name, e.g. 'referrals', 'Referrals received'."}
        )
    if OutcomeMeasure.objects.filter(fund=fund, code=code).exists():
        raise ValidationError({"code": f"{fund.code} already has a measure '{code}'."})
    measure = OutcomeMeasure(fund=fund, code=code, name=name, unit=(unit or "people").strip(),
                             description=(description or "").strip())
    save_with_history(measure, by=by, reason="Outcome measure defined")
    record_event("outcome_measure.created", by=by, obj=measure, summary=f"{fund.code}: measure '{name}' defined")
    return measure


def _measure_for_grant(grant: Grant, measure: OutcomeMeasure, *, field: str, fund_ids=None) -> None:
    funds = set(grant.funding_lines.values_list("fund_id", flat=True) if fund_ids is None else fund_ids)
    if measure.fund_id not in funds:
        who = grant.reference if grant.pk else "the grant"
        raise ValidationError({field: f"'{measure.name}' is a measure of {measure.fund.code}, which {who} "
                                      "does not draw on."})


def outcome_target_check(*, grant: Grant, measure: OutcomeMeasure, year: FinancialYear, target,
                         fund_ids=None) -> Decimal:
    """The rules ``outcome_target_set`` applies to a target of ``grant``, writing nothing: a measure of a fund the
    grant draws on (``fund_ids``, for a grant not yet saved; else its funding lines), a year it runs in, and the
    figure. Returns the figure."""
    _measure_for_grant(grant, measure, field="measure", fund_ids=fund_ids)
    if not year_overlaps(year, grant.start_date, grant.end_date):
        who = grant.reference if grant.pk else "The grant"
        raise ValidationError({"year": f"{who} does not run in {year.label}."})
    return _number(target, field="target")


@transaction.atomic
def outcome_target_set(*, grant: Grant, measure: OutcomeMeasure, year: FinancialYear, target, by) -> OutcomeTarget:
    """Set (or change) a grant's target for a measure in a year the grant runs in."""
    require_role(by, FINANCE_OFFICERS, doing="set outcome targets")
    grant = lock(Grant.objects.filter(pk=grant.pk))[0]
    if grant.status not in LIVE:
        raise ValidationError(f"{grant.reference} is {grant.get_status_display().lower()}; its targets are closed.")
    value = outcome_target_check(grant=grant, measure=measure, year=year, target=target)
    found = OutcomeTarget.objects.filter(grant=grant, measure=measure, year=year).first()
    obj = found or OutcomeTarget(grant=grant, measure=measure, year=year)
    obj.target = value
    save_with_history(obj, by=by, reason="Target changed" if found else "Target set", clean=False)
    record_event("grant.target_set", by=by, obj=grant,
                 summary=f"{grant.reference}: target for '{measure.name}' in {year.label} set to {value}")
    return obj


def return_record_refusal(*, grant: Grant, year: FinancialYear, quarter: int, on: Date | None = None) -> str | None:
    """Whether a monitoring return for ``quarter`` of ``year`` can be recorded for ``grant`` on ``on`` (default
    today): ``None`` if it can, otherwise the exact message ``monitoring_return_submit`` refuses with. Returns are
    recorded once the offer is accepted, for a quarter the grant runs in, only after that quarter has ended, and
    once per quarter (a return that was sent back is resubmitted). Reads only."""
    on = on or timezone.localdate()
    if grant.status not in REPORTING:
        return (f"{grant.reference} is {grant.get_status_display().lower()}; returns are taken once the offer is "
                "accepted.")
    if quarter not in (1, 2, 3, 4):
        return "Choose a quarter from 1 (April-June) to 4 (January-March)."
    q = Quarter(year.start_year, quarter)
    if q not in quarters_within(year, grant.start_date, grant.end_date):
        return (f"{q.label} ({q.start:%d/%m/%Y} to {q.end:%d/%m/%Y}) is outside the grant, which runs "
                f"{grant.start_date:%d/%m/%Y} to {grant.end_date:%d/%m/%Y}.")
    end = reporting_end(q, grant.end_date)
    if on <= end:
        return (f"{quarter_end_phrase(q, grant.end_date)}, so its monitoring return cannot be recorded on "
                f"{on:%d/%m/%Y}; it can be recorded from {end + ONE_DAY:%d/%m/%Y}, once the quarter has ended.")
    existing = MonitoringReturn.objects.filter(grant=grant, year=year, quarter=quarter).first()
    if existing is not None and existing.status != MonitoringReturn.Status.RETURNED:
        return f"The {q.label} return for {grant.reference} is already {existing.get_status_display().lower()}."
    return None


def is_count(measure: OutcomeMeasure) -> bool:
    """Whether a measure counts things (people, referrals, sessions): its figures are whole numbers. A percentage
    ('%') may have decimals."""
    return (measure.unit or "").strip() != "%"


def return_value_check(measure: OutcomeMeasure, raw) -> Decimal:
    """A figure reported for ``measure``: 0 or more; a whole number where the measure counts things. Refused on the
    field ``measure_<pk>`` (the name of its box on both return forms), naming the measure."""
    field = f"measure_{measure.pk}"
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    try:
        value = _number(raw, field=field)
    except ValidationError as error:
        shown = text.strip()
        raise ValidationError({field: f"For '{measure.name}': " + " ".join(error.messages)
                               if not shown.startswith("-") else
                               f"Give 0 or more {measure.unit} for '{measure.name}'; {shown} is below zero."})
    if is_count(measure) and value != value.to_integral_value():
        raise ValidationError({field: f"Give a whole number of {measure.unit} for '{measure.name}'; "
                                      f"{value.normalize():f} is not a whole number."})
    return value


@transaction.atomic
def monitoring_return_submit(
    *, grant: Grant, year: FinancialYear, quarter: int, spend_reported, rag: str,
    values: dict[OutcomeMeasure, object], by, received_on: Date | None = None, narrative: str = "",
    delivery_issues: str = "", today: Date | None = None,
) -> MonitoringReturn:
    """Record a provider's return for one quarter of the grant (values per measure, spend, RAG, narrative,
    delivery issues), only once that quarter has ended (``return_record_refusal`` says why not). Entered by a
    finance officer (with the date it arrived), or sent by a provider user of the grant's organisation through the
    portal (received today). A return that was sent back is resubmitted through this same call. Every field at
    fault is named in one refusal; figures of measures that count things must be whole numbers."""
    require_role(by, FINANCE_OFFICERS + PROVIDERS, doing="enter monitoring returns")
    today = today or timezone.localdate()
    grant = lock(Grant.objects.filter(pk=grant.pk))[0]
    portal = acts_in_portal_for(by, grant.organisation_id,
                                refusal="Only the people of a grant's organisation may send its monitoring returns.")
    if portal:
        received_on = today
    refusal = return_record_refusal(grant=grant, year=year, quarter=quarter, on=today)
    if refusal:
        raise ValidationError(refusal)
    q = Quarter(year.start_year, quarter)
    end = reporting_end(q, grant.end_date)
    refusals = Refusals()
    if not isinstance(received_on, Date) or received_on > today or received_on <= end:
        refusals.add("received_on", f"Give the date the return arrived: from {end + ONE_DAY:%d/%m/%Y}, after "
                                    f"{q.label} ended, to today ({today:%d/%m/%Y}).")
    if rag not in MonitoringReturn.Rag.values:
        refusals.add("rag", "Choose a RAG status: green, amber or red.")
    spend = refusals.check("spend_reported", parse_amount, spend_reported, field="spend_reported", allow_zero=True)
    if rag in MonitoringReturn.Rag.values and rag != MonitoringReturn.Rag.GREEN \
            and not (delivery_issues or "").strip():
        refusals.add("delivery_issues", f"An {rag} return needs the delivery issues behind it.")
    clean_values = {}
    for measure, raw in (values or {}).items():
        try:
            _measure_for_grant(grant, measure, field="values")
        except ValidationError as error:
            refusals.add("values", error)
            continue
        value = refusals.check(None, return_value_check, measure, raw)
        if value is not None:
            clean_values[measure] = value
    refusals.raise_any()
    existing = MonitoringReturn.objects.filter(grant=grant, year=year, quarter=quarter).first()
    ret = existing or MonitoringReturn(grant=grant, year=year, quarter=quarter)
    ret.received_on, ret.spend_reported, ret.rag = received_on, gbp(spend), rag
    ret.narrative, ret.delivery_issues = (narrative or "").strip(), (delivery_issues or "").strip()
    ret.status = MonitoringReturn.Status.SUBMITTED
    ret.submitted_by = by
    ret.submitted_through_portal = portal
    ret.reviewed_by, ret.reviewed_at, ret.review_note = None, None, ""
    how = " through the portal" if portal else ""
    save_with_history(ret, by=by, reason=("Return resubmitted" if existing else "Return received") + how)
    kept = {v.measure_id: v for v in ret.values.all()} if existing else {}
    for measure, value in clean_values.items():
        row = kept.pop(measure.pk, None) or ReturnValue(monitoring_return=ret, measure=measure)
        row.value = value
        save_with_history(row, by=by, reason="Return value", clean=False)  # checked above
    for row in kept.values():
        row._history_user, row._change_reason = by, "Not in the resubmitted return"
        row.delete()
    record_event("return.submitted", by=by, obj=ret, data={"through_portal": portal},
                 summary=f"{grant.reference}: {q.label} return {'resubmitted' if existing else 'received'}{how} "
                         f"({rag})")
    return ret


def _review(ret: MonitoringReturn, *, by, accept: bool, note: str) -> MonitoringReturn:
    require_role(by, FINANCE_OFFICERS, doing="review monitoring returns")
    ret = lock(MonitoringReturn.objects.filter(pk=ret.pk).select_related("grant", "year"))[0]
    if ret.status != MonitoringReturn.Status.SUBMITTED:
        raise ValidationError(f"This return is {ret.get_status_display().lower()}, not awaiting review.")
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"reason": "Say why the return is sent back and what the provider must correct."})
    ret.status = MonitoringReturn.Status.ACCEPTED if accept else MonitoringReturn.Status.RETURNED
    ret.reviewed_by = by
    ret.reviewed_at = timezone.now()
    ret.review_note = note
    save_with_history(ret, by=by, reason=note or "Return accepted", clean=False)
    record_event(f"return.{'accepted' if accept else 'sent_back'}", by=by, obj=ret, reason=note,
                 summary=f"{ret.grant.reference}: Q{ret.quarter} {ret.year.label} return "
                         f"{'accepted' if accept else 'sent back'}")
    return ret


@transaction.atomic
def monitoring_return_accept(*, monitoring_return: MonitoringReturn, by, note: str = "") -> MonitoringReturn:
    """Accept a submitted return; instalments waiting for it can then be paid."""
    return _review(monitoring_return, by=by, accept=True, note=note)


@transaction.atomic
def monitoring_return_send_back(*, monitoring_return: MonitoringReturn, by, reason: str) -> MonitoringReturn:
    """Send a return back to the provider, saying what to correct; it is resubmitted with
    ``monitoring_return_submit``."""
    return _review(monitoring_return, by=by, accept=False, note=reason)


@transaction.atomic
def annual_review_record(*, grant: Grant, year: FinancialYear, outcome: str, notes: str, by,
                         reviewed_on: Date | None = None) -> AnnualReview:
    """Record the year's review of a grant: continue, amend (then request a variation) or stop (then withdraw or
    close it)."""
    require_role(by, OFFICERS_AND_COMMISSIONERS, doing="record annual reviews")
    grant = lock(Grant.objects.filter(pk=grant.pk))[0]
    if grant.status not in (S.APPROVED, S.OFFER_ACCEPTED, S.ACTIVE, S.CLOSED):
        raise ValidationError(
            f"{grant.reference} is {grant.get_status_display().lower()}; only awarded grants are reviewed."
        )
    if outcome not in AnnualReview.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome: continue, amend or stop."})
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": "Summarise the review: performance against targets and the reasons."})
    if not year_overlaps(year, grant.start_date, grant.end_date):
        raise ValidationError({"year": f"{grant.reference} does not run in {year.label}."})
    if AnnualReview.objects.filter(grant=grant, year=year).exists():
        raise ValidationError({"year": f"{grant.reference} already has a review for {year.label}."})
    reviewed_on = reviewed_on or timezone.localdate()
    review = AnnualReview(grant=grant, year=year, outcome=outcome, notes=notes, reviewed_by=by, reviewed_on=reviewed_on)
    save_with_history(review, by=by, reason="Annual review")
    record_event("grant.reviewed", by=by, obj=grant, reason=notes,
                 summary=f"{grant.reference}: {year.label} review - {review.get_outcome_display().lower()}")
    return review
