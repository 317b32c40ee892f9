from django.urls import path

from ledger import views

app_name = "ledger"

urlpatterns = [
    path("journal/", views.entry_list, name="entry_list"),
    path("journal/<int:pk>/", views.entry_detail, name="entry_detail"),
]
