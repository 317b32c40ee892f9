"""The demo's mapping to the corporate chart of accounts (corporate.mapping): balance-sheet and memorandum accounts
go to the central cost centre for all funds; income and spending go to each fund's own cost centre. Every account
the ledger can post to is mapped, so any closed month exports (python manage.py export_gl_journal)."""

from corporate.mapping import mapping_create
from corporate.models import GLMapping
from funds.models import Fund
from ledger.models import Account

CENTRAL = "PCC100"
FUND_COST_CENTRES = {"MOJ-CORE": "PCC410", "MOJ-DASV": "PCC420", "VAWG-PROG": "PCC430", "POCA": "PCC440",
                     "FPN-RETAINED": "PCC450", "SPEED-FEES": "PCC460"}


def subjective(account: Account) -> str:
    """The corporate subjective code: the Ringfence account code with a ledger prefix, e.g. 5300 -> 53000."""
    return f"{account.code}0"


def seed_corporate_mapping(users) -> int:
    if GLMapping.objects.exists():
        return 0
    officer = users["finance"]
    made = 0
    funds = list(Fund.objects.filter(code__in=FUND_COST_CENTRES))
    for account in Account.objects.order_by("code"):
        if account.type in (Account.Type.INCOME, Account.Type.EXPENDITURE):
            for fund in funds:
                mapping_create(account=account, fund=fund, cost_centre=FUND_COST_CENTRES[fund.code],
                               subjective=subjective(account), by=officer,
                               reason="Corporate chart 2026/27: each fund's income and spending in its cost centre")
                made += 1
        else:
            mapping_create(account=account, fund=None, cost_centre=CENTRAL, subjective=subjective(account),
                           by=officer, reason="Corporate chart 2026/27: balance sheet held centrally")
            made += 1
    return made
