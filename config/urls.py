from django.contrib import admin
from django.urls import include, path

from core.history import object_history

urlpatterns = [
    path("", include("core.urls")),
    path("", include("reports.urls")),
    path("", include("ledger.fund_urls")),  # funds.urls and the fund-position pages that read the ledger
    path("", include("income.import_urls")),  # before income.urls: "income/import/" is not a kind of income
    path("", include("income.urls")),
    path("", include("ledger.correction_urls")),  # ledger.urls and the correcting journals, one namespace
    path("", include("grants.urls")),
    path("", include("spending.urls")),
    path("", include("payments.urls")),
    path("", include("banking.urls")),
    path("", include("corporate.urls")),
    path("", include("yearend.urls")),
    path("", include("monitoring.urls")),
    path("", include("documents.urls")),  # /documents/...: the only way an uploaded file is ever served
    path("", include("notifications.urls")),
    path("", include("portal.urls")),  # the provider portal, under /portal/
    path("", include("transparency.urls")),
    path("", include("jobs.urls")),
    path("history/<str:app_label>/<str:model_name>/<int:pk>/", object_history, name="history"),
    path("admin/", admin.site.urls),
]
handler500 = "core.errors.server_error"  # the request id and a plain explanation (core.errors)
