from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from income.models import AwardLetter, CashReceipt, FeeReceipt, FpnReturn, PocaReceipt

for model in (AwardLetter, CashReceipt, PocaReceipt, FpnReturn, FeeReceipt):
    admin.site.register(model, ReadOnlyAdmin)
