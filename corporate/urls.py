from django.urls import path

from corporate import views

app_name = "corporate"

urlpatterns = [
    path("corporate/mappings/", views.mapping_list, name="mapping_list"),
    path("corporate/mappings/new/", views.mapping_create, name="mapping_create"),
    path("corporate/mappings/<int:pk>/edit/", views.mapping_update, name="mapping_update"),
    path("corporate/mappings/<int:pk>/remove/", views.mapping_delete, name="mapping_delete"),
    path("corporate/journal/", views.journal_list, name="journal_list"),
    path("corporate/journal/<int:year>/<int:month>/csv/", views.journal_download, name="journal_download"),
]
