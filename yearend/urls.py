from django.urls import path

from yearend import views

app_name = "yearend"

urlpatterns = [
    path("year-end/", views.year_end_index, name="index"),
    path("year-end/<int:start_year>/", views.year_end_year, name="year"),
    path("year-end/<int:start_year>/run/", views.year_end_run_view, name="run"),
    path("year-end/<int:start_year>/accruals/new/", views.accrual_create, name="accrual_create"),
    path("year-end/accruals/<int:pk>/withdraw/", views.accrual_withdraw, name="accrual_withdraw"),
    path("year-end/<int:start_year>/repayments/<int:fund_pk>/new/", views.repayment_create, name="repayment_create"),
    path("year-end/repayments/<int:pk>/reverse/", views.repayment_reverse, name="repayment_reverse"),
]
