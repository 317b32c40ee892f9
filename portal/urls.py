from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("portal/", views.home, name="home"),
    path("portal/grants/<int:pk>/", views.grant_detail, name="grant"),
    path("portal/grants/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("portal/grants/<int:pk>/returns/<int:year_start>/<int:quarter>/", views.return_submit,
         name="return_submit"),
    path("portal/bank-details/", views.bank_details, name="bank_details"),
    path("portal/messages/", views.message_list, name="messages"),
    path("portal/messages/<int:pk>/read/", views.message_read, name="message_read"),
    path("portal/invitation/<str:token>/", views.invitation_accept_page, name="invitation_accept"),
    # The office's side
    path("portal/office/organisations/<int:pk>/invite/", views.invite, name="invite"),
    path("portal/office/invitations/<int:pk>/withdraw/", views.invitation_withdraw_view, name="invitation_withdraw"),
    path("portal/office/organisations/<int:pk>/message/", views.message_send, name="message_send"),
    path("portal/office/accounts/<int:pk>/deactivate/", views.account_deactivate, name="account_deactivate"),
]
