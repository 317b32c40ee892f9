from django.shortcuts import render
from django.utils import timezone

from funds.calendar import year_for_date
from funds.models import FinancialYear
from ledger.selectors import fund_positions


def home(request):
    year = FinancialYear.objects.filter(start_year=year_for_date(timezone.localdate())).first()
    positions = fund_positions(year=year) if year else []
    return render(request, "reports/home.html", {"year": year, "positions": positions})
