"""The chart of accounts (created by migration 0003) and how each account moves a fund's spending position.

Spending limit = credits less debits on LIMIT accounts (income recognised, balances brought forward).
Committed      = debits less credits on the commitments memorandum account.
Actual         = debits less credits on grant expenditure.
Available      = limit - committed - actual, never below zero (enforced by FundPosition's check constraint).
"""

CASH = "1000"
AWARDS_RECEIVABLE = "1100"
INTER_FUND = "1200"
TREASURY_CREDITOR = "2000"
FUNDER_CREDITOR = "2100"
RESERVES_BROUGHT_FORWARD = "3000"
GRANT_INCOME = "4000"
POCA_INCOME = "4100"
FPN_INCOME = "4200"
FEE_INCOME = "4300"
OTHER_INCOME = "4400"
TRANSFERS = "4900"
GRANT_EXPENDITURE = "5000"
COMMITMENTS = "8000"
COMMITMENT_CONTROL = "8100"

CHART = [
    # code, name, type, role
    (CASH, "Cash at bank", "asset", "none"),
    (AWARDS_RECEIVABLE, "Grant awards receivable", "asset", "none"),
    (INTER_FUND, "Inter-fund transfers", "asset", "none"),
    (TREASURY_CREDITOR, "HM Treasury share of fines owed", "liability", "none"),
    (FUNDER_CREDITOR, "Unspent grant owed back to funders", "liability", "none"),
    (RESERVES_BROUGHT_FORWARD, "Balance brought forward", "reserve", "limit"),
    (GRANT_INCOME, "Grant income from funders", "income", "limit"),
    (POCA_INCOME, "Proceeds of crime income", "income", "limit"),
    (FPN_INCOME, "Fixed penalty income retained", "income", "limit"),
    (FEE_INCOME, "Course fee income", "income", "limit"),
    (OTHER_INCOME, "Other income", "income", "limit"),
    (TRANSFERS, "Transfers between funds and to funders", "income", "limit"),
    (GRANT_EXPENDITURE, "Grants paid to commissioned services", "expenditure", "actual"),
    (COMMITMENTS, "Grant commitments", "memo", "committed"),
    (COMMITMENT_CONTROL, "Commitments control", "memo", "none"),
]
