from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("payments/runs/", views.run_list, name="run_list"),
    path("payments/runs/new/", views.run_prepare, name="run_prepare"),
    path("payments/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("payments/runs/<int:pk>/authorise/", views.run_authorise, name="run_authorise"),
    path("payments/runs/<int:pk>/withhold/", views.run_withhold, name="run_withhold"),
    path("payments/runs/<int:pk>/pay/", views.run_pay, name="run_pay"),
    path("payments/runs/<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("payments/runs/<int:pk>/file/", views.run_file, name="run_file"),
    path("payments/limits/", views.limit_list, name="limits"),
    # A limit changes only when a second person approves the proposed change (payments.limits).
    path("payments/limits/propose/", views.limit_propose, name="limit_propose"),
    path("payments/limits/changes/<int:pk>/", views.limit_change, name="limit_change"),
    path("payments/limits/changes/<int:pk>/decide/", views.limit_change_decide, name="limit_change_decide"),
]
