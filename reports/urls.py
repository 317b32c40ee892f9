from django.urls import include, path

from reports import downloads, views

reports_patterns = (
    [
        path("approvals/", views.approvals, name="approvals"),
        path("dashboards/", views.dashboard, name="dashboard"),
        path("statements/", downloads.downloads, name="downloads"),
        path("statements/packs/issue/", downloads.pack_issue, name="pack_issue"),
        path("statements/packs/<int:pk>/", downloads.pack_detail, name="pack_detail"),
        path("statements/packs/<int:pk>/files/<int:file_pk>/", downloads.pack_file, name="pack_file"),
    ],
    "reports",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("", include(reports_patterns)),
]
