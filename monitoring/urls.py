from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("monitoring/", views.index, name="index"),
    path("monitoring/<int:year>/<int:month>/", views.month, name="month"),
    path("monitoring/<int:year>/<int:month>/download/<str:fmt>/", views.download, name="download"),
    path("monitoring/<int:year>/<int:month>/lines/<int:line_pk>/commentary/", views.commentary, name="commentary"),
    path("monitoring/thresholds/", views.threshold_list, name="thresholds"),
    path("monitoring/thresholds/set/", views.threshold_set, name="threshold_set"),
]
