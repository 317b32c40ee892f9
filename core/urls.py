from django.urls import path

from core import views
from core.permissions import any_signed_in

urlpatterns = [
    path("login/", views.RingfenceLoginView.as_view(), name="login"),
    path("logout/", any_signed_in(views.logout_view), name="logout"),
    path("account/password/", any_signed_in(views.RingfencePasswordChangeView.as_view()), name="password_change"),
]
