from django.urls import path

from funds import control_views, views

app_name = "funds"

urlpatterns = [
    # "funds/" and "funds/<code>/" (fund positions) read the ledger: ledger/fund_urls.py adds them to this namespace.
    path("budgets/", views.budget_list, name="budget_list"),
    path("budgets/new/", views.budget_create, name="budget_create"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("budgets/<int:pk>/forecast/", views.forecast_create, name="forecast_create"),
    path("virements/", views.virement_list, name="virement_list"),
    path("virements/new/", views.virement_create, name="virement_create"),
    path("virements/<int:pk>/", views.virement_detail, name="virement_detail"),
    path("virements/<int:pk>/decide/", views.virement_decide, name="virement_decide"),
    path("periods/", views.period_list, name="period_list"),
    path("periods/<int:pk>/close/", views.period_close, name="period_close"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period_reopen"),
    # Control settings (thresholds, retained share): proposed by one person, approved by another (funds.controls).
    path("controls/", control_views.control_list, name="control_list"),
    path("controls/propose/", control_views.control_propose, name="control_propose"),
    path("controls/<int:pk>/", control_views.control_detail, name="control_detail"),
    path("controls/<int:pk>/decide/", control_views.control_decide, name="control_decide"),
]
