"""The ``funds`` URL namespace: the funds app's own pages, and the fund-position pages (``/funds/``,
``/funds/<code>/``) that read the ledger and so live in ``ledger.views``. Apps depend one way
(core <- funds <- ledger <- ...): funds cannot import the ledger, so the namespace is put together here, where both
may be imported, and every existing ``funds:list`` and ``funds:detail`` link keeps working."""

from django.urls import path

from funds.urls import app_name
from funds.urls import urlpatterns as funds_urlpatterns
from ledger import views

urlpatterns = [
    path("funds/", views.fund_list, name="list"),
    path("funds/<slug:code>/", views.fund_detail, name="detail"),
    *funds_urlpatterns,
]

__all__ = ["app_name", "urlpatterns"]
