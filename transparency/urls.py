from django.urls import path

app_name = "transparency"

urlpatterns: list = []
