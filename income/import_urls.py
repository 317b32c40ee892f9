from django.urls import path

from income.import_views import income_import_page

urlpatterns = [
    path("income/import/", income_import_page, name="income_import"),
]
