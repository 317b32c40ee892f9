from django.urls import path

from grants.views import grant_steps, money, organisations, records, returns, variations, workflow

app_name = "grants"

urlpatterns = [
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/services/new/", organisations.service_create, name="service_create"),
    path("organisations/<int:pk>/bank-details/new/", organisations.bank_details_create, name="bank_details_create"),
    path("bank-details/<int:pk>/verify/", organisations.bank_details_decide, name="bank_details_decide"),
    path("bank-requests/<int:pk>/", organisations.bank_change_request_decide, name="bank_change_request_decide"),
    path("grants/", records.grant_list, name="list"),
    path("grants/new/", grant_steps.grant_create, name="create"),
    path("grants/new/<slug:draft>/details/", grant_steps.step_details, name="create_details"),
    path("grants/new/<slug:draft>/funding-lines/", grant_steps.step_funding, name="create_funding"),
    path("grants/new/<slug:draft>/schedule/", grant_steps.step_schedule, name="create_schedule"),
    path("grants/new/<slug:draft>/outcomes/", grant_steps.step_outcomes, name="create_outcomes"),
    path("grants/new/<slug:draft>/check/", grant_steps.step_check, name="create_check"),
    path("grants/<int:pk>/", records.grant_detail, name="detail"),
    path("grants/<int:pk>/edit/", records.grant_edit, name="edit"),
    path("grants/<int:pk>/category/", records.grant_category, name="category"),
    path("grants/<int:pk>/timeline/", records.grant_timeline_view, name="timeline"),
    path("grants/<int:pk>/funding-lines/new/", records.funding_line_add, name="funding_line_add"),
    path(
        "grants/<int:pk>/funding-lines/<int:line_pk>/remove/", records.funding_line_remove, name="funding_line_remove"
    ),
    path("grants/<int:pk>/submit/", workflow.grant_submit, name="submit"),
    path("grants/<int:pk>/decide/", workflow.grant_decide, name="decide"),
    path("grants/<int:pk>/offer-accepted/", workflow.grant_offer_accept, name="offer_accept"),
    path("grants/<int:pk>/close/", workflow.grant_close, name="close"),
    path("grants/<int:pk>/withdraw/", workflow.grant_withdraw, name="withdraw"),
    path("grants/<int:pk>/checks/", money.grant_checks, name="checks"),
    path("grants/<int:pk>/clawback/", money.clawback_create, name="clawback_create"),
    path("grants/<int:pk>/payments/<int:payment_pk>/reverse/", money.payment_reverse, name="payment_reverse"),
    path("grants/<int:pk>/clawbacks/<int:clawback_pk>/reverse/", money.clawback_reverse, name="clawback_reverse"),
    path("grants/<int:pk>/returns/new/", returns.return_create, name="return_create"),
    path("grants/<int:pk>/variations/new/", variations.variation_create, name="variation_create"),
    path("grants/<int:pk>/targets/new/", returns.target_set, name="target_set"),
    path("grants/<int:pk>/reviews/new/", returns.review_create, name="review_create"),
    path("grants/<int:pk>/funding-lines/<int:line_pk>/schedule/", money.schedule_edit, name="schedule_edit"),
    path("instalments/<int:pk>/pay/", money.instalment_pay, name="instalment_pay"),
    path("payments/due/", money.payments_due, name="payments_due"),
    path("returns/due/", returns.returns_due_list, name="returns_due"),
    path("returns/<int:pk>/", returns.return_detail, name="return_detail"),
    path("variations/<int:pk>/", variations.variation_detail, name="variation_detail"),
    path("variations/<int:pk>/decide/", variations.variation_decide, name="variation_decide"),
    path("decisions/", variations.decision_list, name="decision_list"),
    path("decisions/new/", variations.decision_create, name="decision_create"),
]
