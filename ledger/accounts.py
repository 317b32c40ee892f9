"""The chart of accounts (created by migration 0003) and how each account moves a fund's spending position.

Spending limit = credits less debits on LIMIT accounts (income recognised, balances brought forward).
Committed      = debits less credits on the commitments memorandum account.
Actual         = debits less credits on grant expenditure, supplier spending and other accrued spending.

Commitments and actual spending also belong to a budget line: a journal line on a committed or actual account may
name the budget line it counts against (``JournalLine.budget_line``), so a fund's total is the sum of its lines.
Available      = limit - committed - actual, never below zero (enforced by FundPosition's check constraint).
"""

CASH = "1000"
AWARDS_RECEIVABLE = "1100"
INTER_FUND = "1200"
VAT_RECOVERABLE = "1300"
TREASURY_CREDITOR = "2000"
FUNDER_CREDITOR = "2100"
ACCRUALS = "2200"
TRADE_CREDITORS = "2300"
RESERVES_BROUGHT_FORWARD = "3000"
RESERVE_CARRIED_FORWARD = "3100"
RESERVE_APPLIED = "3110"
LAPSED = "3200"
GRANT_INCOME = "4000"
POCA_INCOME = "4100"
FPN_INCOME = "4200"
FEE_INCOME = "4300"
OTHER_INCOME = "4400"
TRANSFERS = "4900"
YEAR_END_TRANSFERS = "4950"
GRANT_EXPENDITURE = "5000"
GRANT_ACCRUALS = "5100"
OTHER_ACCRUALS = "5200"
SUPPLIER_EXPENDITURE = "5300"
COMMITMENTS = "8000"
COMMITMENT_CONTROL = "8100"

CHART = [
    # code, name, type, role
    (CASH, "Cash at bank", "asset", "none"),
    (AWARDS_RECEIVABLE, "Grant awards receivable", "asset", "none"),
    (INTER_FUND, "Inter-fund transfers", "asset", "none"),
    (VAT_RECOVERABLE, "VAT recoverable from HMRC (VAT Act 1994 s.33)", "asset", "none"),
    (TREASURY_CREDITOR, "HM Treasury share of fines owed", "liability", "none"),
    (FUNDER_CREDITOR, "Unspent grant owed back to funders", "liability", "none"),
    (ACCRUALS, "Accrued spending not yet paid", "liability", "none"),
    (TRADE_CREDITORS, "Supplier invoices approved, not yet paid", "liability", "none"),
    (RESERVES_BROUGHT_FORWARD, "Balance brought forward", "reserve", "limit"),
    (RESERVE_CARRIED_FORWARD, "Earmarked reserve carried forward", "reserve", "none"),
    (RESERVE_APPLIED, "Earmarked reserve brought into the year", "reserve", "none"),
    (LAPSED, "Unspent lapsed to general reserves", "reserve", "none"),
    (GRANT_INCOME, "Grant income from funders", "income", "limit"),
    (POCA_INCOME, "Proceeds of crime income", "income", "limit"),
    (FPN_INCOME, "Fixed penalty income retained", "income", "limit"),
    (FEE_INCOME, "Course fee income", "income", "limit"),
    (OTHER_INCOME, "Other income", "income", "limit"),
    (TRANSFERS, "Transfers between funds and to funders", "income", "limit"),
    (YEAR_END_TRANSFERS, "Unspent transferred out at year end", "income", "limit"),
    (GRANT_EXPENDITURE, "Grants paid to commissioned services", "expenditure", "actual"),
    # A grant accrual moves a delivered, unpaid instalment from commitment to spending: the spending position does
    # not change (committed down, actual up), so the account moves neither; statements read it on both sides.
    (GRANT_ACCRUALS, "Grant spending accrued at year end", "expenditure", "none"),
    (OTHER_ACCRUALS, "Other spending accrued at year end", "expenditure", "actual"),
    (SUPPLIER_EXPENDITURE, "Supplier spending (orders and contracts, staff, running costs)", "expenditure", "actual"),
    (COMMITMENTS, "Commitments (grants, orders and contracts)", "memo", "committed"),
    (COMMITMENT_CONTROL, "Commitments control", "memo", "none"),
]
