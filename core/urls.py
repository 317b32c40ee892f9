from django.urls import path

from core import views

urlpatterns = [
    path("login/", views.RingfenceLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/password/", views.RingfencePasswordChangeView.as_view(), name="password_change"),
]
