from django.urls import path

from core import two_factor_views, views
from core.permissions import any_signed_in
from core.two_factor_gate import second_factor_step

urlpatterns = [
    path("login/", views.RingfenceLoginView.as_view(), name="login"),
    path("login/code/", two_factor_views.verify, name="two_factor_verify"),
    path("logout/", second_factor_step(any_signed_in(views.logout_view)), name="logout"),
    path("account/password/", any_signed_in(views.RingfencePasswordChangeView.as_view()), name="password_change"),
    path("account/two-step/", two_factor_views.account, name="two_factor_account"),
    path("account/two-step/set-up/", two_factor_views.enrol, name="two_factor_enrol"),
    path("account/two-step/recovery-codes/", two_factor_views.recovery_codes, name="two_factor_recovery_codes"),
]
