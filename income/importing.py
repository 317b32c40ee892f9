"""Bulk import of income from the spreadsheets finance officers already keep.

``income_import(name=, data=, by=, dry_run=)`` reads the file (``income.import_files``), checks every row, and
records each one through the same service a finance officer's page uses (``income.services``), all in ONE
transaction. If any row fails, nothing is written and the report lists every failing row by its number in the
spreadsheet and the column at fault, with the reason. A dry run does all the same work, including every check the
services make, and then rolls it back, so it reports exactly what would be written.

How a row maps to a service (README, "Importing income", says the same for finance officers):

========  ======================================================================================================
kind      meaning of the row
========  ======================================================================================================
award     ``award_letter_record``: the funder's award letter. ``amount`` is the allocation; ``date`` the letter
          date; the optional ``year`` column (``2026/27``) names the financial year awarded, by default the year
          that holds ``date``. Only for award-based funds.
receipt   ``receipt_record``: cash received. For an award-based fund it settles an award letter: the one named in
          the optional ``award_reference`` column, by default the fund's letter for the financial year of ``date``;
          the report names the letter and year. For a receipts-based fund of other income it raises the spending
          limit.
poca      ``poca_receipt_record``: proceeds of crime. ``amount`` is the GROSS recovered on the order (what the
          ARIS notice states); the ``share`` column (agency share %, e.g. ``18.75``) and the ``case_reference``
          column are required on these rows; the amount received is gross x share, rounded to the penny, as on the
          web page. We chose the gross because the retained-income statement reports gross and retained, and a
          received amount alone would lose the gross.
fpn       ``fpn_return_record``: a month's fixed penalties. ``amount`` is the gross value of the month's tickets;
          ``date`` is any day of the month; the ``tickets`` column (a whole number) is required. The fund's retained
          share applies; the rest is owed to HM Treasury.
fee       ``fee_receipt_record``: speed-awareness course fees received; optional ``courses`` column.
========  ======================================================================================================

Which funds take each kind, and the date rules (nothing dated after today; a fixed penalty return only for a month
that has ended), are checked with ``income.kinds``, the definition the services enforce, so a row is refused in the
services' own words.

Re-importing a file writes nothing new: a row whose reference is already recorded for the same kind, fund, date
and amount is reported as "already imported" and skipped (not an error). A reference already recorded for
something different is an error on that row. Reversed documents are not counted: a row with a reversed
document's reference is recorded again.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import record_event
from core.dates import date_in_range
from core.money import format_gbp, parse_amount, quoted
from core.roles import FINANCE_OFFICERS, require_role
from funds.calendar import year_for_date, year_label_parse
from funds.models import FinancialYear, Fund
from income import kinds, services
from income.import_files import REQUIRED_COLUMNS, FileRefused, Sheet, SheetRow, read_sheet
from income.models import AwardLetter
from ledger.posting import posting_batch

KINDS = {code: kind.name for code, kind in kinds.INCOME_KINDS.items()}
MODEL_KIND = {kind.model: code for code, kind in kinds.INCOME_KINDS.items()}
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
# A service names the field it refuses; this is the column of the spreadsheet that holds it.
SERVICE_FIELD_COLUMN = {
    "fund": "fund_code", "date": "date", "month_start": "date", "letter_date": "date", "reference": "reference",
    "amount": "amount", "gross_recovered": "amount", "gross_value": "amount", "agency_share_percent": "share",
    "case_reference": "case_reference", "award_letter": "award_reference", "tickets": "tickets", "year": "year",
    "courses": "courses", "description": "description",
}


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str  # "" when the row as a whole is refused
    message: str

    def __str__(self):
        where = f"Row {self.row}, {self.column}" if self.column else f"Row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class RowPlan:
    """A row that passed its own checks: what it will record."""

    row: int
    kind: str
    fund: Fund
    date: Date
    reference: str
    amount: Decimal
    description: str
    year: FinancialYear | None = None
    award_reference: str = ""
    share: Decimal | None = None
    case_reference: str = ""
    tickets: int | None = None
    courses: int = 0
    settles: str = ""  # for a receipt, the award letter and year it went to, once recorded

    @property
    def kind_name(self) -> str:
        """'cash receipt', not 'receipt': what a page shows."""
        return KINDS[self.kind]

    def __str__(self):
        what = KINDS[self.kind]
        extra = f" (gross; {self.share}% share)" if self.kind == "poca" else ""
        settles = f", {self.settles}" if self.settles else ""
        return f"Row {self.row}: {what} {self.reference}, {self.fund.code}, {self.date:%d/%m/%Y}, " \
               f"{format_gbp(self.amount)}{extra}{settles}"


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool
    file_sha256: str = ""
    refused: str = ""  # the whole file was refused, and why
    problems: list[RowProblem] = field(default_factory=list)
    recorded: list[RowPlan] = field(default_factory=list)  # written (or, in a dry run, would be)
    already: list[RowPlan] = field(default_factory=list)  # recorded by an earlier import: skipped
    rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and bool(self.recorded)

    def summary(self) -> str:
        if self.refused:
            return f"Refused: {self.refused} Nothing was written."
        if self.problems:
            failing = len({p.row for p in self.problems})
            return (f"Refused: {failing} of {self.rows} row{'s' if self.rows != 1 else ''} in {self.file_name} "
                    f"{'has' if failing == 1 else 'have'} problems, listed below. Nothing was written; correct the "
                    "file and import it again.")
        skipped = f"; {len(self.already)} already imported, skipped" if self.already else ""
        # The control total a finance officer checks against the sum of the amount column of their sheet.
        total = f"amount column total {format_gbp(sum((p.amount for p in self.recorded), Decimal('0')))}"
        if self.dry_run:
            return (f"Dry run: {len(self.recorded)} row{'s' if len(self.recorded) != 1 else ''} of {self.file_name} "
                    f"would be recorded ({total}){skipped}. Nothing was written.")
        return f"Imported {len(self.recorded)} row{'s' if len(self.recorded) != 1 else ''} from {self.file_name} " \
               f"({total}){skipped}."

    def lines(self) -> list[str]:
        out = [self.summary()]
        if self.ignored_columns:
            out.append(f"Columns not used by the import, ignored: {', '.join(self.ignored_columns)}.")
        out += [str(p) for p in self.problems]
        if self.ok:
            verb = "would be recorded" if self.dry_run else "recorded"
            out += [f"{plan} - {verb}" for plan in self.recorded]
            out += [f"{plan} - already imported, skipped" for plan in self.already]
        return out


class _RollBack(Exception):
    pass


def income_import(*, name: str, data: bytes, by, dry_run: bool = False, today: Date | None = None,
                  progress=None) -> ImportReport:
    """Import a .csv or .xlsx file of income; see the module's docstring. Never raises for bad input: the report
    says what was refused. Raises PermissionDenied unless ``by`` is a finance officer. ``progress``, when given, is
    called as ``progress(rows_done, rows_in_file)`` as the rows are checked and recorded (a background job shows
    it); it must not write to the database, which this import holds for the one transaction."""
    require_role(by, FINANCE_OFFICERS, doing="import income")
    report = ImportReport(file_name=name, dry_run=dry_run, file_sha256=hashlib.sha256(data).hexdigest())
    try:
        sheet = read_sheet(name, data)
    except FileRefused as refusal:
        report.refused = str(refusal)
        return report
    report.file_name = sheet.name
    report.rows = len(sheet.rows)
    report.ignored_columns = sheet.ignored_columns
    try:
        with transaction.atomic():
            # One batch (ledger.posting.posting_batch): the funds and the chain head are locked once, and the kept
            # balances and positions written once, for the whole file; a refused row undoes everything.
            with posting_batch():
                _import_rows(sheet, report, by, today, progress)
                if report.problems or dry_run:
                    raise _RollBack
            if not report.recorded:
                return report  # everything was imported before: nothing new, not even an event
            record_event(
                "income.imported", by=by,
                summary=f"Imported {len(report.recorded)} rows of income from {sheet.name}",
                data={"file": sheet.name, "sha256": report.file_sha256, "recorded": len(report.recorded),
                      "already_imported": len(report.already),
                      "references": [plan.reference for plan in report.recorded]},
            )
    except _RollBack:
        pass  # a dry run, or a row failed: everything above is undone
    return report


def _import_rows(sheet: Sheet, report: ImportReport, by, today: Date | None, progress=None) -> None:
    """Check and record every row, in the services' ``income_batch``: the standing documents holding the file's
    references, the periods of its dates and its financial years are read once, not again for every row."""
    funds = {fund.code.upper(): fund for fund in Fund.objects.all()}
    years = {year.start_year: year for year in FinancialYear.objects.all()}
    seen_references: dict[str, int] = {}
    with services.income_batch(_text(raw.values.get("reference")) for raw in sheet.rows) as standing:
        for done, raw in enumerate(sheet.rows):
            if progress is not None:
                progress(done, len(sheet.rows))
            _import_row(raw, report, by, today, funds, years, seen_references, sheet, standing)
    if progress is not None:
        progress(len(sheet.rows), len(sheet.rows))
    report.problems.sort(key=lambda p: (p.row, _column_order(p.column)))


def _import_row(raw: SheetRow, report: ImportReport, by, today: Date | None, funds: dict, years: dict,
                seen_references: dict, sheet: Sheet, standing: dict) -> None:
    plan, problems = _check_row(raw, funds, years, seen_references, sheet, today)
    report.problems += problems
    if plan is None:
        return
    existing = _existing_document(standing, plan.reference)
    if existing is not None:
        if _same_document(plan, existing):
            if getattr(existing, "award_letter", None) is not None:
                plan.settles = kinds.settles_text(existing.award_letter)
            report.already.append(plan)
        else:
            report.problems.append(RowProblem(plan.row, "reference", (
                f"'{plan.reference}' is already recorded for a different document ({_describe(existing)}). "
                "Give this row its own reference, or correct it to match.")))
        return
    try:
        document = _record(plan, by, today)
    except ValidationError as refusal:
        report.problems += _service_problems(plan.row, refusal)
    else:
        if getattr(document, "award_letter", None) is not None:
            plan.settles = kinds.settles_text(document.award_letter)
        report.recorded.append(plan)


def _column_order(column: str) -> int:
    order = list(REQUIRED_COLUMNS) + ["year", "award_reference", "share", "case_reference", "tickets", "courses"]
    return order.index(column) if column in order else len(order)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}"
    return str(value).strip()


def _amount(value, column: str) -> Decimal:
    """Exact pounds and pence from a cell. A number cell of a workbook arrives as a float: its shortest decimal form
    (what Excel shows) is what the person typed, so it is read as that text, never as binary arithmetic."""
    if isinstance(value, bool):
        raise ValidationError({column: f"'{value}' is not an amount; enter pounds and pence, for example 1250.00."})
    if isinstance(value, float):
        value = repr(value)
    try:
        return parse_amount(value if value is not None else "", field=column)
    except ValidationError as error:
        raise ValidationError(error.message_dict[column][0])


def _date(value) -> Date:
    """A date cell (a workbook's date, or text day/month/year), within the dates Ringfence records."""
    if isinstance(value, datetime):
        return date_in_range(value.date())
    if isinstance(value, Date):
        return date_in_range(value)
    text = _text(value)
    if not text:
        raise ValidationError("Enter the date, for example 31/03/2026.")
    for fmt in DATE_FORMATS:
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return date_in_range(day)
    raise ValidationError(f"{quoted(text)} is not a date; enter it as day/month/year, for example 31/03/2026.")


def _whole_number(value, column: str, *, required: bool) -> int | None:
    text = _text(value)
    if not text:
        if required:
            raise ValidationError(f"Enter the number of {column}, a whole number such as 1380.")
        return None
    try:
        return services.parse_count(text, field=column, what=column)
    except ValidationError as error:
        raise ValidationError(error.message_dict[column][0])


def _first_message(error: ValidationError) -> str:
    return next(iter(error.message_dict.values()))[0] if hasattr(error, "error_dict") else error.messages[0]


def _check_row(raw: SheetRow, funds: dict, years: dict, seen_references: dict, sheet: Sheet, today: Date | None):
    """Check one row on its own (no writes). Returns (plan or None, problems). ``funds`` by code and ``years`` by
    first calendar year are those set up."""
    v = raw.values
    problems: list[RowProblem] = []

    def problem(column, message):
        problems.append(RowProblem(raw.number, column, message))

    fund = None
    code = _text(v.get("fund_code")).upper()
    if not code:
        problem("fund_code", "Enter the fund's code, for example MOJ-CORE.")
    elif code not in funds:
        known = ", ".join(sorted(funds)) or "none has been set up"
        problem("fund_code", f"There is no fund with the code {quoted(code)}. Known funds: {known}.")
    else:
        fund = funds[code]

    kind = _text(v.get("kind")).lower()
    if kind not in KINDS:
        shown = quoted(_text(v.get("kind"))) if kind else "Nothing"
        problem("kind", f"{shown} is not a kind of income; use one of {', '.join(KINDS)}.")
    elif fund is not None:
        try:
            kinds.income_fund_check(kind=kinds.INCOME_KINDS[kind], fund=fund)
        except ValidationError as error:
            problem("fund_code", _first_message(error))

    day = None
    try:
        day = _date(v.get("date"))
        if kind in KINDS:
            kinds.income_date_check(kind=kinds.INCOME_KINDS[kind], day=day, today=today)
        services.open_period(day)
    except ValidationError as error:
        day = None  # a bad date is reported once, not again as a bad year
        problem("date", _first_message(error))

    reference = _text(v.get("reference"))
    if not reference:
        problem("reference", "Enter the document's own reference, for example the award letter number.")
    elif len(reference) > 60:
        problem("reference", f"A reference is at most 60 characters; this one has {len(reference)}.")
    elif reference in seen_references:
        problem("reference", f"'{reference}' is also on row {seen_references[reference]}; each row needs its own "
                             "reference.")
    else:
        seen_references[reference] = raw.number

    amount = None
    try:
        amount = _amount(v.get("amount"), "amount")
    except ValidationError as error:
        problem("amount", error.messages[0])

    description = _text(v.get("description"))
    if len(description) > 300:
        problem("description", f"A description is at most 300 characters; this one has {len(description)}.")

    extra = {}
    if kind == "award":
        label = _text(v.get("year"))
        try:
            start = year_label_parse(label) if label else (year_for_date(day) if day else None)
        except ValidationError as error:
            problem("year", error.message_dict["year"][0])
        else:
            if start is not None and start not in years:  # set up since the import began, or not at all
                years[start] = FinancialYear.objects.filter(start_year=start).first()
            if start is not None and years[start] is None:
                problem("year", f"Financial year {FinancialYear(start_year=start).label} has not been set up.")
            elif start is not None:
                extra["year"] = years[start]
    if kind == "receipt":
        extra["award_reference"] = _text(v.get("award_reference"))
    if kind == "poca":
        share_text = _text(v.get("share"))
        if "share" not in sheet.columns or not share_text:
            problem("share", "A proceeds of crime row needs the agency share percentage in the 'share' column, "
                             "for example 18.75; the amount is the gross recovered.")
        else:
            try:
                extra["share"] = services.parse_percent(share_text, field="share")
            except ValidationError as error:
                problem("share", error.message_dict["share"][0])
        extra["case_reference"] = _text(v.get("case_reference"))
        if not extra["case_reference"]:
            problem("case_reference", "A proceeds of crime row needs the court case reference of the order in the "
                                      "'case_reference' column.")
        elif len(extra["case_reference"]) > 60:
            problem("case_reference", f"A case reference is at most 60 characters; this one has "
                                      f"{len(extra['case_reference'])}.")
    if kind == "fpn":
        try:
            extra["tickets"] = _whole_number(v.get("tickets"), "tickets", required=True)
        except ValidationError as error:
            problem("tickets", error.messages[0])
    if kind == "fee":
        try:
            extra["courses"] = _whole_number(v.get("courses"), "courses", required=False) or 0
        except ValidationError as error:
            problem("courses", error.messages[0])

    if problems:
        return None, problems
    if kind == "fpn":
        day = day.replace(day=1)  # a return is for the month; it is posted on the month's first day
    return RowPlan(row=raw.number, kind=kind, fund=fund, date=day, reference=reference, amount=amount,
                   description=description, **extra), []


def _record(plan: RowPlan, by, today: Date | None):
    common = {"fund": plan.fund, "reference": plan.reference, "by": by, "description": plan.description,
              "today": today}
    if plan.kind == "award":
        return services.award_letter_record(year=plan.year, letter_date=plan.date, amount=plan.amount, **common)
    elif plan.kind == "receipt":
        letter = None
        if plan.award_reference:
            letter = AwardLetter.objects.standing().filter(reference=plan.award_reference).first()
            if letter is None:
                raise ValidationError({"award_letter": f"No award letter has the reference "
                                                       f"{quoted(plan.award_reference)}."})
        return services.receipt_record(date=plan.date, amount=plan.amount, award_letter=letter, **common)
    elif plan.kind == "poca":
        return services.poca_receipt_record(case_reference=plan.case_reference, date=plan.date,
                                            gross_recovered=plan.amount, agency_share_percent=plan.share, **common)
    elif plan.kind == "fpn":
        return services.fpn_return_record(month_start=plan.date, tickets=plan.tickets, gross_value=plan.amount,
                                          **common)
    return services.fee_receipt_record(date=plan.date, amount=plan.amount, courses=plan.courses, **common)


def _service_problems(row: int, refusal: ValidationError) -> list[RowProblem]:
    if hasattr(refusal, "error_dict"):
        return [RowProblem(row, SERVICE_FIELD_COLUMN.get(name, ""), message)
                for name, messages in refusal.message_dict.items() for message in messages]
    return [RowProblem(row, "", message) for message in refusal.messages]


def _existing_document(standing: dict, reference: str):
    """The standing income document holding ``reference``, if any, of ``standing`` (``services.income_batch``): a
    reversed document's reference may be used again, and a pay-over's is refused by the service in its words."""
    found = standing.get(reference)
    return found if type(found) in MODEL_KIND else None


def _document_facts(document) -> tuple:
    kind = MODEL_KIND[type(document)]
    if kind == "award":
        return kind, document.fund.code, document.letter_date, document.amount.amount
    if kind == "poca":
        return kind, document.fund.code, document.date, document.gross_recovered.amount
    if kind == "fpn":
        return kind, document.fund.code, document.period.start_date, document.gross_value.amount
    return kind, document.fund.code, document.date, document.amount.amount


def _same_document(plan: RowPlan, document) -> bool:
    same = _document_facts(document) == (plan.kind, plan.fund.code, plan.date, plan.amount)
    if same and plan.kind == "poca":
        same = document.agency_share_percent == plan.share
    return same


def _describe(document) -> str:
    kind, code, day, amount = _document_facts(document)
    return f"{KINDS[kind]} of {code} dated {day:%d/%m/%Y} for {format_gbp(amount)}"
