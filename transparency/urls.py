"""Publications: what a finance director has marked published for the public transparency page.

The public addresses (``index``, the four files and the decision log page) need no login; ``manage`` and below
are for signed-in staff."""

from django.urls import path, re_path

from transparency import views

app_name = "transparency"

urlpatterns = [
    path("transparency/", views.index, name="index"),
    re_path(r"^transparency/spending/(?P<month>[0-9]{4}-[0-9]{2})\.csv$", views.spending_file, name="spending_file"),
    path("transparency/contracts.csv", views.contracts_file, name="contracts_file"),
    path("transparency/decisions.csv", views.decisions_file, name="decisions_file"),
    path("transparency/decisions/", views.decision_log, name="decision_log"),
    re_path(r"^transparency/360giving/(?P<year>[0-9]{4}-[0-9]{2})\.json$", views.giving360_file,
            name="giving360_file"),
    path("transparency/manage/", views.manage, name="manage"),
    path("transparency/manage/publish/", views.publish, name="publish"),
    path("transparency/manage/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("transparency/manage/<int:pk>/file/", views.manage_file, name="manage_file"),
]
