from django.urls import include, path

from reports import downloads, funder_return_views, views

reports_patterns = (
    [
        path("approvals/", views.approvals, name="approvals"),
        path("dashboards/", views.dashboard, name="dashboard"),
        path("funder-returns/", funder_return_views.funder_return, name="funder_return"),
        path("statements/", downloads.downloads, name="downloads"),
        path("statements/packs/issue/", downloads.pack_issue, name="pack_issue"),
        path("statements/packs/<int:pk>/", downloads.pack_detail, name="pack_detail"),
        path("statements/packs/<int:pk>/files/<int:file_pk>/", downloads.pack_file, name="pack_file"),
        path("statements/packs/<int:pk>/sign-off/", downloads.pack_sign_off, name="pack_sign_off"),
    ],
    "reports",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("", include(reports_patterns)),
]
