from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from yearend.models import FunderRepayment, ManualAccrual

for model in (ManualAccrual, FunderRepayment):
    admin.site.register(model, ReadOnlyAdmin)
