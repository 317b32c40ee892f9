from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("documents/<int:pk>/", views.download, name="download"),
    path("documents/attach/<str:app_label>/<str:model>/<int:pk>/", views.attach, name="attach"),
    path("documents/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
