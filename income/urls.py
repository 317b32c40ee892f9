from django.urls import path

from income import views

app_name = "income"

urlpatterns = [
    path("income/", views.income_index, name="index"),
    path("income/<slug:kind>/", views.income_list, name="list"),
    path("income/<slug:kind>/new/", views.income_create, name="create"),
    path("income/<slug:kind>/<int:pk>/", views.income_detail, name="detail"),
    path("income/<slug:kind>/<int:pk>/reverse/", views.income_reverse, name="reverse"),
]
