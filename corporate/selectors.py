"""Reading the mapping and the monthly journals, for pages."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from corporate.journal import GLJournal, gl_journal, gl_journal_csv, sha256
from corporate.mapping import MappingLookup
from corporate.models import GLMapping
from funds.models import FinancialYear, Fund, Period
from ledger.models import Account, Balance


@dataclass(frozen=True)
class CoverageRow:
    account: Account
    fund: Fund
    mapping: GLMapping | None  # the mapping the journal uses for this pair, or None: unmapped

    @property
    def own(self) -> bool:
        return self.mapping is not None and self.mapping.fund_id is not None


def mapping_coverage() -> list[CoverageRow]:
    """Every account and fund that has postings, with the mapping the journal would use for it (or none), in
    account then fund order. Three queries, whatever the size of the ledger."""
    pairs = set(Balance.objects.values_list("account_id", "fund_id").distinct().order_by())
    accounts = Account.objects.in_bulk({a for a, _ in pairs})
    funds = Fund.objects.in_bulk({f for _, f in pairs})
    lookup = MappingLookup()
    rows = [CoverageRow(accounts[a], funds[f], lookup.find(a, f)) for a, f in pairs]
    return sorted(rows, key=lambda r: (r.account.code, r.fund.code))


def mappings() -> list[GLMapping]:
    return list(GLMapping.objects.select_related("account", "fund").order_by("account__code", "fund__code", "id"))


@dataclass(frozen=True)
class GLMonth:
    period: Period
    journal: GLJournal | None = None
    sha256: str = ""
    refusal: str = ""


def gl_months(*, year: FinancialYear) -> list[GLMonth]:
    """Each month P1-P12 of ``year``: its journal and the SHA-256 of its file when it can be exported, else why not.
    (P13 is in no monthly journal.)"""
    months = []
    for period in Period.objects.filter(Period.MONTHS, year=year).select_related("year").order_by("number"):
        try:
            journal = gl_journal(period=period)
        except ValidationError as error:
            months.append(GLMonth(period, refusal=" ".join(error.messages)))
            continue
        months.append(GLMonth(period, journal, sha256(gl_journal_csv(journal))))
    return months
