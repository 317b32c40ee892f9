from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from income.models import AwardLetter, CashReceipt, FeeReceipt, FpnReturn, PocaReceipt, TreasuryPayOver

for model in (AwardLetter, CashReceipt, PocaReceipt, FpnReturn, FeeReceipt, TreasuryPayOver):
    admin.site.register(model, ReadOnlyAdmin)
