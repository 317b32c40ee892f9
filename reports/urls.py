from django.urls import include, path

from reports import views

reports_patterns = (
    [
        path("approvals/", views.approvals, name="approvals"),
        path("dashboards/", views.dashboard, name="dashboard"),
    ],
    "reports",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("", include(reports_patterns)),
]
