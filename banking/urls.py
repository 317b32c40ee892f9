from django.urls import path

from banking import views

app_name = "banking"

urlpatterns = [
    path("bank/", views.statement_list, name="index"),
    path("bank/import/", views.statement_import, name="import"),
    path("bank/<int:pk>/", views.statement_detail, name="statement"),
    path("bank/<int:pk>/match/", views.match_confirm_view, name="match_confirm"),
    path("bank/<int:pk>/match/all/", views.match_confirm_all_view, name="match_confirm_all"),
    path("bank/matches/<int:pk>/undo/", views.match_undo_view, name="match_undo"),
    path("bank/<int:pk>/sign-off/", views.sign_off_view, name="sign_off"),
    path("bank/<int:pk>/withdraw/", views.withdraw_view, name="withdraw"),
    path("bank/<int:pk>/reconciliation.xlsx", views.report_xlsx, name="report_xlsx"),
    path("bank/<int:pk>/reconciliation.pdf", views.report_pdf, name="report_pdf"),
]
