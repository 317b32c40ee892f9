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
    path("payments/limits/set/", views.limit_set, name="limit_set"),
]
