"""What people and files put where an amount, a count, a share or a date belongs: the odd values the adversarial
test of issue 14 found (each once a server error or a traceback), and hypothesis strategies built around them."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from core.money import AMOUNT_GRAMMAR

ODD_TEXT = [
    "1e26", "-1e26", "1e-9", "NaN", "sNaN", "Infinity", "-Infinity", "inf", "-0", "0", "0.00", "1,000,000.005",
    "£12.34", "12.345", "99999999999999.99", "999999999999999.99", "99999999.99", "100000000.00", "１２", "²", "١٢",
    "٫", "1_000", "+20", "(5.00)", "12.", ".50", "1 000", "0x10", "12 EUR", "$12", "£", "GBP", "%", "12.5%",
    "18.75", "50.001", "1380", "1,380", "10000001", "1" * 30 + ".5", "9" * 5000, "", "   ", "\t", "\u00a0",
    "31/12/9999", "01/01/0001", "29/02/2025", "31/04/2025", "9999-12-31", "0001-01-01", "2025-05-15", "15/05/2025",
    "9999-12", "1900-01-01", "31/12/2199", "=1+1", "<b>1</b>", "NULL", "None", "null", "true", "💷",
]

odd_text = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.from_regex(AMOUNT_GRAMMAR, fullmatch=True),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=24),
)

# A cell of a workbook as openpyxl writes it: text, numbers of every size and kind, dates and times, booleans.
odd_cell = st.one_of(
    st.none(),
    odd_text,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1)),
    st.times(),
    st.timedeltas(min_value=timedelta(days=-1000), max_value=timedelta(days=1000)),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=Decimal("-1e12"),
                max_value=Decimal("1e12")),
)
