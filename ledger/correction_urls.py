"""The ``ledger`` URL namespace: the journal's pages (``ledger.urls``) and the correcting journals' pages. One
namespace is one include (Django keeps only one of two includes with the same namespace), so it is put together
here, as ``ledger/fund_urls.py`` does for ``funds``, and every existing ``ledger:`` link keeps working."""

from django.urls import path

from ledger import correction_views as views
from ledger.urls import app_name
from ledger.urls import urlpatterns as ledger_urlpatterns

urlpatterns = [
    *ledger_urlpatterns,
    path("ledger/corrections/", views.correction_list, name="correction_list"),
    path("ledger/corrections/new/", views.correction_create, name="correction_create"),
    path("ledger/corrections/<int:pk>/", views.correction_detail, name="correction_detail"),
    path("ledger/corrections/<int:pk>/approve/", views.correction_approve, name="correction_approve"),
    path("ledger/corrections/<int:pk>/reject/", views.correction_reject, name="correction_reject"),
]

__all__ = ["app_name", "urlpatterns"]
