"""The permission matrix: every URL of the project, opened by anonymous, a finance officer, a commissioner, a
finance director, a back-office admin and a provider (a person at a commissioned organisation, who sees only the
portal), against one explicit table of who may open what.

- ``ROUTES`` lists every named URL pattern of the application with the roles that may open it and what they get.
  Anyone else signed in gets 403 (GET and POST alike); anonymous visitors are sent to log in.
- ``ADMIN_MODELS`` lists every model registered in the admin with what the admin may do there; the three roles
  (who are not staff) and anonymous visitors are sent to the admin's login page for every admin URL.
- ``HIDDEN`` lists objects that exist but a role may not see (404 rather than 403, so nothing is revealed), and
  addresses of objects that do not exist.

Adding a URL or an admin model without adding it to these tables fails ``test_every_url_is_in_the_table``. The
table is also checked against the roles each view declares (``required_roles``), and then the real pages are
walked, so the table, the declarations and the behaviour cannot drift apart.

Segregation of duties (nobody approves their own submission) is enforced in the services, and tested there, so
the same rules hold from commands and the admin; this matrix covers who may reach which page.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from core.roles import COMMISSIONER, FINANCE_DIRECTOR, FINANCE_OFFICER, PROVIDER
from tests.matrix_world import MISSING, build_world

# Who opens the pages: letters used in the table.
F, C, D, A = "F", "C", "D", "A"  # finance officer, commissioner, finance director, admin (staff, no Ringfence role)
P = "P"  # a provider of the world's provider organisation (tests.matrix_world): the portal, and nothing of the office
PEOPLE = {F: "finance", C: "commissioner", D: "director", A: "admin", P: "provider"}
SIGNED_IN = "FCDAP"
PUBLIC = "public"  # open to anonymous visitors too, GET only (core.permissions.public_page)
PUBLIC_FORM = "public form"  # open to anonymous visitors, GET and POST (core.permissions.public_form_page)


@dataclass(frozen=True)
class Route:
    allowed: str  # letters of who may open it
    args: Callable[[dict], dict] | None = None  # world -> URL kwargs
    get: int = 200  # what the allowed get for GET
    post_only: bool = False  # GET is 405 for everyone signed in (the form is elsewhere)
    get_by: tuple = ()  # (letter, status) pairs: what one of the allowed gets instead of ``get``


def pk(key):
    return lambda w: {"pk": w[key].pk}


def month_of(period):
    return {"year": period.start_date.year, "month": period.start_date.month}


ROUTES: dict[str, Route] = {
    # Accounts
    "login": Route(allowed="", get=200),  # special: anonymous 200, signed in 302 (see the walk)
    "logout": Route(allowed=SIGNED_IN, post_only=True),
    "password_change": Route(allowed=SIGNED_IN),
    "two_factor_verify": Route(allowed=SIGNED_IN, get=302),
    "two_factor_enrol": Route(allowed=SIGNED_IN),
    "two_factor_recovery_codes": Route(allowed=SIGNED_IN),
    "two_factor_account": Route(allowed=SIGNED_IN),
    # Home, queues, dashboards, statements
    "home": Route(allowed=SIGNED_IN, get_by=((P, 302),)),  # a provider's home is the portal
    "reports:approvals": Route(allowed=C + D),
    "reports:dashboard": Route(allowed=D),
    "reports:downloads": Route(allowed=F + D),
    "reports:pack_issue": Route(allowed=F + D),
    "reports:pack_detail": Route(allowed=F + D, args=pk("pack")),
    "reports:pack_file": Route(allowed=F + D, args=lambda w: {"pk": w["pack"].pk, "file_pk": w["pack_file"].pk}),
    "reports:pack_sign_off": Route(allowed=D, args=pk("pack")),
    "reports:funder_return": Route(allowed=F + D),
    # Funds, budgets, virements, periods
    "funds:list": Route(allowed=F + C + D),
    "funds:detail": Route(allowed=F + C + D, args=lambda w: {"code": w["fund"].code}),
    "funds:budget_list": Route(allowed=F + C + D),
    "funds:control_list": Route(allowed=F + C + D),
    "jobs:list": Route(allowed=F + D),
    "jobs:detail": Route(allowed=F + D, args=pk("job")),
    "jobs:file": Route(allowed=F + D, args=pk("job")),
    "funds:control_propose": Route(allowed=F + D),
    "funds:control_detail": Route(allowed=F + C + D, args=pk("control_change")),
    "funds:control_decide": Route(allowed=C + D, args=pk("control_change")),
    "funds:budget_create": Route(allowed=F),
    "funds:budget_detail": Route(allowed=F + C + D, args=pk("budget")),
    "funds:forecast_create": Route(allowed=F, args=pk("budget")),
    "funds:virement_list": Route(allowed=F + C + D),
    "funds:virement_create": Route(allowed=F),
    "funds:virement_detail": Route(allowed=F + C + D, args=pk("virement")),
    "funds:virement_decide": Route(allowed=C + D, args=pk("virement")),
    "funds:period_list": Route(allowed=F + D),
    "funds:period_close": Route(allowed=F + D, args=pk("open_period")),
    "funds:period_reopen": Route(allowed=D, args=pk("closed_period")),
    # Income
    "income_import": Route(allowed=F),
    "income:index": Route(allowed=F + D),
    "income:list": Route(allowed=F + D, args=lambda w: {"kind": "award-letters"}),
    "income:create": Route(allowed=F, args=lambda w: {"kind": "award-letters"}),
    "income:detail": Route(allowed=F + D, args=lambda w: {"kind": "award-letters", "pk": w["award_letter"].pk}),
    "income:reverse": Route(allowed=F, args=lambda w: {"kind": "award-letters", "pk": w["award_letter"].pk}),
    # Ledger
    "ledger:entry_list": Route(allowed=F + C + D),
    "ledger:entry_detail": Route(allowed=F + C + D, args=pk("entry")),
    "ledger:correction_list": Route(allowed=F + D),
    "ledger:correction_create": Route(allowed=F),
    "ledger:correction_detail": Route(allowed=F + D, args=pk("correction")),
    "ledger:correction_approve": Route(allowed=F + D, post_only=True, args=pk("correction")),
    "ledger:correction_reject": Route(allowed=F + D, post_only=True, args=pk("correction")),
    # Year end
    # Supplier spending
    "spending:supplier_list": Route(allowed=F + C + D),
    "spending:supplier_create": Route(allowed=F),
    "spending:supplier_detail": Route(allowed=F + C + D, args=pk("supplier")),
    "spending:order_list": Route(allowed=F + C + D),
    "spending:order_create": Route(allowed=F),
    "spending:order_detail": Route(allowed=F + C + D, args=pk("order")),
    "spending:order_approve": Route(allowed=C + D, args=pk("order")),
    "spending:order_reject": Route(allowed=C + D, args=pk("order")),
    "spending:order_close": Route(allowed=F, args=pk("order")),
    "spending:order_category": Route(allowed=F, args=pk("order")),
    "spending:invoice_create": Route(allowed=F, args=pk("order")),
    "spending:invoice_detail": Route(allowed=F + C + D, args=pk("invoice")),
    "spending:invoice_approve": Route(allowed=F + D, args=pk("invoice")),
    "spending:invoice_reject": Route(allowed=F + D, args=pk("invoice")),
    "spending:invoice_reverse": Route(allowed=F, args=pk("invoice")),
    # Payment runs and delegated limits
    "payments:run_list": Route(allowed=F + D),
    "payments:run_prepare": Route(allowed=F),
    "payments:run_detail": Route(allowed=F + D, args=pk("payment_run")),
    "payments:run_authorise": Route(allowed=F + D, post_only=True, args=pk("payment_run")),
    "payments:run_withhold": Route(allowed=F + D, post_only=True, args=pk("payment_run")),
    "payments:run_pay": Route(allowed=F + D, post_only=True, args=pk("payment_run")),
    "payments:run_cancel": Route(allowed=F + D, post_only=True, args=pk("payment_run")),
    "payments:run_file": Route(allowed=F + D, args=pk("payment_run")),
    "payments:limits": Route(allowed=F + C + D),
    "payments:limit_propose": Route(allowed=C + D, post_only=True),
    "payments:limit_change": Route(allowed=F + C + D, args=pk("limit_change")),
    "payments:limit_change_decide": Route(allowed=C + D, args=pk("limit_change")),
    # Bank reconciliation
    "banking:index": Route(allowed=F + D),
    "banking:import": Route(allowed=F),
    "banking:statement": Route(allowed=F + D, args=pk("bank_statement")),
    "banking:match_confirm": Route(allowed=F, post_only=True, args=pk("bank_statement")),
    "banking:match_confirm_all": Route(allowed=F, post_only=True, args=pk("bank_statement")),
    "banking:match_undo": Route(allowed=F, post_only=True, args=pk("bank_match")),
    "banking:sign_off": Route(allowed=F + D, post_only=True, args=pk("bank_statement")),
    "banking:withdraw": Route(allowed=F, post_only=True, args=pk("bank_statement")),
    "banking:report_xlsx": Route(allowed=F + D, args=pk("bank_statement")),
    "banking:report_pdf": Route(allowed=F + D, args=pk("bank_statement")),
    # The corporate ledger: mapping and the monthly summary journal
    "corporate:mapping_list": Route(allowed=F + D),
    "corporate:mapping_create": Route(allowed=F),
    "corporate:mapping_update": Route(allowed=F, args=pk("gl_mapping")),
    "corporate:mapping_delete": Route(allowed=F, args=pk("gl_mapping")),
    "corporate:journal_list": Route(allowed=F + D),
    "corporate:journal_download": Route(allowed=F + D, args=lambda w: {
        "year": w["closed_period"].start_date.year, "month": w["closed_period"].start_date.month}),
    "yearend:index": Route(allowed=F + D),
    "yearend:year": Route(allowed=F + D, args=lambda w: {"start_year": 2025}),
    "yearend:run": Route(allowed=D, post_only=True, args=lambda w: {"start_year": 2025}),
    "yearend:accrual_create": Route(allowed=F, args=lambda w: {"start_year": 2026}),
    "yearend:accrual_withdraw": Route(allowed=F, post_only=True, args=pk("accrual")),
    "yearend:repayment_create": Route(allowed=F, args=lambda w: {"start_year": 2025, "fund_pk": w["fund"].pk}),
    "yearend:repayment_reverse": Route(allowed=F, post_only=True, args=pk("repayment")),
    # Organisations and bank details
    "grants:organisation_list": Route(allowed=F + C + D),
    "grants:organisation_create": Route(allowed=F),
    "grants:organisation_detail": Route(allowed=F + C + D, args=pk("organisation")),
    "grants:organisation_edit": Route(allowed=F, args=pk("organisation")),
    "grants:service_create": Route(allowed=F, args=pk("organisation")),
    "grants:bank_details_create": Route(allowed=F, args=pk("organisation")),
    "grants:bank_details_decide": Route(allowed=F + C, args=pk("bank_details")),
    "grants:bank_change_request_decide": Route(allowed=F, args=pk("bank_change_request")),
    # Grants
    "grants:list": Route(allowed=F + C + D),
    "grants:create": Route(allowed=F, get=302),  # starts the steps: a new draft, then its first step
    # The steps of a draft this session does not hold send a finance officer back to the start.
    "grants:create_details": Route(allowed=F, get=302, args=lambda w: {"draft": "0123456789abcdef"}),
    "grants:create_funding": Route(allowed=F, get=302, args=lambda w: {"draft": "0123456789abcdef"}),
    "grants:create_schedule": Route(allowed=F, get=302, args=lambda w: {"draft": "0123456789abcdef"}),
    "grants:create_outcomes": Route(allowed=F, get=302, args=lambda w: {"draft": "0123456789abcdef"}),
    "grants:create_check": Route(allowed=F, get=302, args=lambda w: {"draft": "0123456789abcdef"}),
    "grants:detail": Route(allowed=F + C + D, args=pk("submitted")),
    "grants:edit": Route(allowed=F, args=pk("draft")),
    "grants:timeline": Route(allowed=F + C + D, args=pk("submitted")),
    "grants:funding_line_add": Route(allowed=F, args=pk("draft")),
    "grants:funding_line_remove": Route(allowed=F, post_only=True,
                                        args=lambda w: {"pk": w["draft"].pk, "line_pk": w["draft_line"].pk}),
    "grants:submit": Route(allowed=F, args=pk("draft")),
    "grants:decide": Route(allowed=C, args=pk("submitted")),
    "grants:offer_accept": Route(allowed=F, args=pk("approved")),
    "grants:close": Route(allowed=F, args=pk("active")),
    "grants:withdraw": Route(allowed=F + C, args=pk("submitted")),
    "grants:checks": Route(allowed=F, args=pk("active")),
    "grants:clawback_create": Route(allowed=F, args=pk("active")),
    "grants:payment_reverse": Route(allowed=F, args=lambda w: {"pk": w["payment"].grant_id,
                                                                "payment_pk": w["payment"].pk}),
    "grants:clawback_reverse": Route(allowed=F, args=lambda w: {"pk": w["clawback"].grant_id,
                                                                 "clawback_pk": w["clawback"].pk}),
    "grants:return_create": Route(allowed=F, args=pk("active")),
    "grants:variation_create": Route(allowed=F, args=pk("active")),
    "grants:target_set": Route(allowed=F, args=pk("active")),
    "grants:category": Route(allowed=F, args=pk("active")),
    "grants:review_create": Route(allowed=F + C, args=pk("active")),
    "grants:schedule_edit": Route(allowed=F, args=lambda w: {"pk": w["active"].pk, "line_pk": w["active_line"].pk}),
    "grants:instalment_pay": Route(allowed=F, args=pk("instalment")),
    "grants:payments_due": Route(allowed=F),
    "grants:returns_due": Route(allowed=F),
    "grants:return_detail": Route(allowed=F + C + D, args=pk("return")),
    # Documents attached to records: providers too, scoped by documents.visibility.may_see
    # The world's document is on another organisation's bid: the walked provider may open the page, but not it.
    "documents:download": Route(allowed=F + C + D + P, args=pk("attachment"), get_by=((P, 404),)),
    "documents:attach": Route(allowed=F + C + D + P, post_only=True,
                              args=lambda w: {"app_label": "grants", "model": "grant", "pk": w["submitted"].pk}),
    "documents:withdraw": Route(allowed=F, post_only=True, args=pk("attachment")),
    "grants:variation_detail": Route(allowed=F + C + D, args=pk("variation")),
    "grants:variation_decide": Route(allowed=C, args=pk("variation")),
    "grants:decision_list": Route(allowed=F + C + D),
    "grants:decision_create": Route(allowed=F + C),
    # Budget monitoring: thresholds and commentary
    "monitoring:index": Route(allowed=F + C + D),
    "monitoring:month": Route(allowed=F + C + D, args=lambda w: month_of(w["monitoring_period"])),
    "monitoring:download": Route(allowed=F + C + D, args=lambda w: {**month_of(w["monitoring_period"]),
                                                                     "fmt": "csv"}),
    "monitoring:commentary": Route(allowed=F, args=lambda w: {**month_of(w["monitoring_period"]),
                                                               "line_pk": w["monitoring_line"].pk}),
    "monitoring:thresholds": Route(allowed=F + D),
    "monitoring:threshold_set": Route(allowed=D),
    # Reminders: each person's own notifications (providers too); the reminder settings
    "notifications:list": Route(allowed=SIGNED_IN),
    "notifications:mark_read": Route(allowed=SIGNED_IN, post_only=True),
    "notifications:settings": Route(allowed=D),
    # Publications and the public transparency page
    "transparency:index": Route(allowed=PUBLIC),
    "transparency:spending_file": Route(allowed=PUBLIC, args=lambda w: {"month": "2026-10"}),
    "transparency:contracts_file": Route(allowed=PUBLIC),
    "transparency:decisions_file": Route(allowed=PUBLIC),
    "transparency:decision_log": Route(allowed=PUBLIC),
    "transparency:giving360_file": Route(allowed=PUBLIC, args=lambda w: {"year": "2025-26"}),
    "transparency:manage": Route(allowed=F + D),
    "transparency:publish": Route(allowed=D),
    "transparency:withdraw": Route(allowed=D, args=pk("publication")),
    "transparency:manage_file": Route(allowed=F + D, args=pk("publication")),
    # The provider portal: a provider's own organisation only; the office invites them and writes to them
    "portal:home": Route(allowed=P),
    "portal:grant": Route(allowed=P, args=pk("portal_grant")),
    "portal:offer_accept": Route(allowed=P, args=pk("portal_grant")),
    "portal:return_submit": Route(allowed=P, args=lambda w: {"pk": w["portal_grant"].pk, "year_start": 2025,
                                                             "quarter": 1}),
    "portal:messages": Route(allowed=P),
    "portal:bank_details": Route(allowed=P),
    "portal:message_read": Route(allowed=P, post_only=True, args=pk("portal_message")),
    "portal:invitation_accept": Route(allowed=PUBLIC_FORM, args=lambda w: {"token": w["invitation_token"]}),
    "portal:invite": Route(allowed=F, args=pk("organisation")),
    "portal:invitation_withdraw": Route(allowed=F, post_only=True, args=pk("invitation")),
    "portal:message_send": Route(allowed=F, args=pk("organisation")),
    # an empty POST (the walk's) gives no reason, so it is refused and the walked provider stays active
    "portal:account_deactivate": Route(allowed=F, post_only=True, args=pk("provider_account")),
    # Every record's history
    "history": Route(allowed=F + C + D,
                     args=lambda w: {"app_label": "grants", "model_name": "grant", "pk": w["submitted"].pk}),
}

# Objects that exist but the role may not see, and objects that do not exist: (url name, kwargs, who gets 404).
# Everyone else signed in who may not open the page at all still gets 403, whether or not the object exists,
# so a refusal never reveals whether something exists.
HIDDEN: list[tuple[str, Callable[[dict], dict], str]] = [
    # A draft grant is the officer's work in progress: commissioners do not see it, on any page.
    ("grants:detail", pk("draft"), C),
    ("grants:timeline", pk("draft"), C),
    ("history", lambda w: {"app_label": "grants", "model_name": "grant", "pk": w["draft"].pk}, C),
    # Records that do not exist.
    ("grants:detail", lambda w: {"pk": MISSING}, F + C + D),
    ("grants:decide", lambda w: {"pk": MISSING}, C),
    ("grants:instalment_pay", lambda w: {"pk": MISSING}, F),
    ("funds:detail", lambda w: {"code": "NO-SUCH-FUND"}, F + C + D),
    ("ledger:correction_detail", lambda w: {"pk": MISSING}, F + D),
    ("income:reverse", lambda w: {"kind": "award-letters", "pk": MISSING}, F),
    ("grants:payment_reverse", lambda w: {"pk": w["payment"].grant_id, "payment_pk": MISSING}, F),
    ("grants:clawback_reverse", lambda w: {"pk": w["clawback"].grant_id, "clawback_pk": MISSING}, F),
    ("yearend:year", lambda w: {"start_year": 2099}, F + D),
    ("spending:supplier_detail", lambda w: {"pk": MISSING}, F + C + D),
    ("spending:order_detail", lambda w: {"pk": MISSING}, F + C + D),
    ("spending:order_approve", lambda w: {"pk": MISSING}, C + D),
    ("spending:invoice_detail", lambda w: {"pk": MISSING}, F + C + D),
    ("payments:run_detail", lambda w: {"pk": MISSING}, F + D),
    ("payments:run_file", lambda w: {"pk": MISSING}, F + D),
    ("banking:statement", lambda w: {"pk": MISSING}, F + D),
    ("banking:report_pdf", lambda w: {"pk": MISSING}, F + D),
    ("corporate:mapping_update", lambda w: {"pk": MISSING}, F),
    ("corporate:mapping_delete", lambda w: {"pk": MISSING}, F),
    ("corporate:journal_download", lambda w: {"year": 2099, "month": 1}, F + D),
    ("funds:budget_detail", lambda w: {"pk": MISSING}, F + C + D),
    ("funds:virement_decide", lambda w: {"pk": MISSING}, C + D),
    ("funds:period_reopen", lambda w: {"pk": MISSING}, D),
    ("income:detail", lambda w: {"kind": "award-letters", "pk": MISSING}, F + D),
    ("income:list", lambda w: {"kind": "no-such-kind"}, F + D),
    ("ledger:entry_detail", lambda w: {"pk": MISSING}, F + C + D),
    ("grants:organisation_detail", lambda w: {"pk": MISSING}, F + C + D),
    ("grants:bank_details_decide", lambda w: {"pk": MISSING}, F + C),
    ("grants:bank_change_request_decide", lambda w: {"pk": MISSING}, F),
    ("grants:return_detail", lambda w: {"pk": MISSING}, F + C + D),
    ("documents:download", lambda w: {"pk": MISSING}, F + C + D + P),
    ("grants:variation_detail", lambda w: {"pk": MISSING}, F + C + D),
    ("reports:pack_detail", lambda w: {"pk": MISSING}, F + D),
    ("reports:pack_sign_off", lambda w: {"pk": MISSING}, D),
    ("transparency:withdraw", lambda w: {"pk": MISSING}, D),
    ("monitoring:month", lambda w: {"year": 2099, "month": 1}, F + C + D),
    ("monitoring:download", lambda w: {"year": 2099, "month": 1, "fmt": "csv"}, F + C + D),
    ("monitoring:commentary", lambda w: {"year": 2025, "month": 4, "line_pk": MISSING}, F),
    ("transparency:manage_file", lambda w: {"pk": MISSING}, F + D),
    ("funds:control_detail", lambda w: {"pk": MISSING}, F + C + D),
    # Another officer's job: only the person who asked (and finance directors) see it.
    ("jobs:detail", pk("other_job"), F),
    ("jobs:file", pk("other_job"), F),
    ("jobs:detail", lambda w: {"pk": MISSING}, F + D),
    ("jobs:file", lambda w: {"pk": MISSING}, F + D),
    ("funds:control_decide", lambda w: {"pk": MISSING}, C + D),
    ("payments:limit_change", lambda w: {"pk": MISSING}, F + C + D),
    ("payments:limit_change_decide", lambda w: {"pk": MISSING}, C + D),
    # A file reached through another pack's address, and a file that does not exist.
    ("reports:pack_file", lambda w: {"pk": w["other_pack"].pk, "file_pk": w["pack_file"].pk}, F + D),
    ("reports:pack_file", lambda w: {"pk": w["pack"].pk, "file_pk": MISSING}, F + D),
    # History only for the domain's tracked records: never for user accounts, the journal, or unknown kinds.
    ("history", lambda w: {"app_label": "auth", "model_name": "user", "pk": w["users"]["admin"].pk}, F + C + D),
    ("history", lambda w: {"app_label": "ledger", "model_name": "journalentry", "pk": w["entry"].pk}, F + C + D),
    ("history", lambda w: {"app_label": "grants", "model_name": "nothing", "pk": 1}, F + C + D),
    ("history", lambda w: {"app_label": "grants", "model_name": "grant", "pk": MISSING}, F + C + D),
    # Another organisation's grant, and a bid of the provider's own organisation not yet offered to them
    # (tests/portal/test_cross_organisation.py walks every portal URL this way, GET and POST).
    ("portal:grant", pk("other_portal_grant"), P),
    ("portal:offer_accept", pk("other_portal_grant"), P),
    ("portal:return_submit", lambda w: {"pk": w["other_portal_grant"].pk, "year_start": 2025, "quarter": 1}, P),
    ("portal:grant", lambda w: {"pk": MISSING}, P),
    ("portal:invite", lambda w: {"pk": MISSING}, F),
    ("portal:message_send", lambda w: {"pk": MISSING}, F),
]

# Every model in the admin: may the admin add records, and delete them? (Lists, records and their history are open
# to the admin for every model.) Money, decisions and history are read-only there: they change only through the
# services, which enforce the rules the admin would bypass.
ADMIN_MODELS: dict[str, tuple[bool, bool]] = {
    # model label: (add, delete)
    "auth.Group": (True, False),  # the sample is a role group, which cannot be deleted (core.admin.RoleGroupAdmin)
    "auth.User": (True, True),
    "django_tasks_database.DBTaskResult": (False, False),
    "otp_totp.TOTPDevice": (False, False),
    "otp_static.StaticDevice": (False, False),
    "core.Event": (False, False),
    "core.LoginAttempt": (False, False),
    "funds.BudgetLine": (False, False),
    "funds.ControlChange": (False, False),
    "funds.FinancialYear": (False, False),
    "funds.Forecast": (False, False),
    "funds.Fund": (True, False),
    "funds.Funder": (True, True),
    "funds.Period": (False, False),
    "funds.Virement": (False, False),
    "grants.AnnualReview": (False, False),
    "grants.BankDetails": (False, False),
    "grants.CheckType": (True, False),
    "grants.ServiceCategory": (True, False),
    "grants.Clawback": (False, False),
    "grants.CommissionedService": (False, False),
    "grants.Decision": (False, False),
    "grants.FundingLine": (False, False),
    "grants.Grant": (False, False),
    "grants.GrantCheck": (False, False),
    "grants.GrantVariation": (False, False),
    "grants.Instalment": (False, False),
    "grants.MonitoringReturn": (False, False),
    "grants.Organisation": (False, False),
    "grants.OutcomeMeasure": (True, False),
    "grants.OutcomeTarget": (False, False),
    "grants.Payment": (False, False),
    "grants.ReturnValue": (False, False),
    "grants.VariationLine": (False, False),
    "income.AwardLetter": (False, False),
    "income.CashReceipt": (False, False),
    "income.FeeReceipt": (False, False),
    "income.FpnReturn": (False, False),
    "income.PocaReceipt": (False, False),
    "income.TreasuryPayOver": (False, False),
    "ledger.Account": (False, False),
    "ledger.JournalEntry": (False, False),
    "ledger.CorrectingJournal": (False, False),
    "corporate.GLMapping": (False, False),
    "spending.Supplier": (False, False),
    "spending.Order": (False, False),
    "spending.Invoice": (False, False),
    "spending.SupplierPayment": (False, False),
    "yearend.ManualAccrual": (False, False),
    "yearend.FunderRepayment": (False, False),
    "transparency.Publication": (False, False),
    "monitoring.BudgetCommentary": (False, False),
    "documents.Attachment": (False, False),
    "monitoring.RagThreshold": (False, False),
}
# The admin site's own pages (not tied to one model), and the per-model URL kinds the walk covers.
ADMIN_SITE_URLS = {"admin:index", "admin:login", "admin:logout", "admin:password_change", "admin:password_change_done",
                   "admin:autocomplete", "admin:jsi18n", "admin:view_on_site", "admin:app_list"}
ADMIN_MODEL_URL_KINDS = ("changelist", "add", "change", "delete", "history", "simple_history")


# --- the URL patterns, as Django resolves them ------------------------------------------------------------------

@dataclass(frozen=True)
class Pattern:
    name: str  # with namespaces, e.g. "grants:detail"; "" for an unnamed pattern
    route: str
    callback: Callable


def all_patterns() -> list[Pattern]:
    found = []

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
                found.append(Pattern(name, prefix + str(p.pattern), p.callback))

    walk(get_resolver().url_patterns)
    return found


def is_admin(pattern: Pattern) -> bool:
    return pattern.route.startswith("admin/")


def admin_model_urls() -> dict[str, tuple[str, str]]:
    """URL name -> (model label, kind) for every registered model's admin URLs."""
    urls = {}
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        for kind in ADMIN_MODEL_URL_KINDS:
            urls[f"admin:{info[0]}_{info[1]}_{kind}"] = (model._meta.label, kind)
    return urls


# --- the table is complete and agrees with the code ------------------------------------------------------------

def coverage_problems() -> list[str]:
    """Everything the tables do not cover, one line each (empty when the matrix is complete)."""
    problems = []
    patterns = all_patterns()
    ours = {p.name for p in patterns if not is_admin(p)}
    problems += [f"unnamed URL pattern {p.route!r}: give it a name so the matrix can cover it"
                 for p in patterns if not is_admin(p) and not p.name]
    problems += [f"{name}: missing from ROUTES" for name in sorted(ours - set(ROUTES) - {""})]
    problems += [f"{name}: in ROUTES but no longer a URL" for name in sorted(set(ROUTES) - ours)]
    registered = {m._meta.label for m in admin.site._registry}
    problems += [f"{label}: registered in the admin but missing from ADMIN_MODELS"
                 for label in sorted(registered - set(ADMIN_MODELS))]
    problems += [f"{label}: in ADMIN_MODELS but not in the admin" for label in sorted(set(ADMIN_MODELS) - registered)]
    model_urls = admin_model_urls()
    user_password = {"admin:auth_user_password_change"}  # the admin's form to set a user's password
    admin_named = {p.name for p in patterns if is_admin(p) and p.name}
    problems += [f"{name}: an admin URL not covered by ADMIN_SITE_URLS or ADMIN_MODELS"
                 for name in sorted(admin_named - set(model_urls) - ADMIN_SITE_URLS - user_password)]
    # Unnamed admin patterns: the old-style "<object_id>/" redirect of each model, and the final catch-all.
    problems += [f"unnamed admin URL pattern {p.route!r}" for p in patterns if is_admin(p) and not p.name
                 and not p.route.endswith(("/<path:object_id>/", "(?P<url>.*)$"))]
    return problems


def test_every_url_is_in_the_table():
    """A new page, or a new model in the admin, must be added to the tables above before this passes."""
    assert coverage_problems() == []


def test_a_url_missing_from_the_table_fails_the_matrix():
    """The guard above works: a project with one more page, not in the table, is reported."""
    with override_settings(ROOT_URLCONF="tests.matrix_extra_urls"):
        assert coverage_problems() == ["unnamed URL pattern 'unnamed-page/': give it a name so the matrix can cover it",
                                       "new_page: missing from ROUTES"]


def test_the_table_agrees_with_the_roles_each_view_declares():
    """Each view declares its roles once (core.permissions); the table says the same, so neither can drift."""
    letters = {FINANCE_OFFICER: F, COMMISSIONER: C, FINANCE_DIRECTOR: D, PROVIDER: P}
    mismatches = []
    for pattern in all_patterns():
        if is_admin(pattern) or pattern.name == "login":
            continue
        declared = getattr(pattern.callback, "required_roles", None)
        assert declared is not None, f"{pattern.name} declares no roles (role_required, any_signed_in, public_page)"
        if declared in (PUBLIC, PUBLIC_FORM):
            expected = declared
        else:
            expected = SIGNED_IN if declared == () else "".join(sorted(letters[r] for r in declared))
        table = ROUTES[pattern.name].allowed
        if (expected in (PUBLIC, PUBLIC_FORM) or table in (PUBLIC, PUBLIC_FORM)) and expected != table \
                or sorted(expected) != sorted(table):
            mismatches.append(f"{pattern.name}: view allows {expected!r}, table says {table!r}")
    assert mismatches == []


# --- walking the real pages ------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo scenario, built once for this module inside a transaction that is rolled back at its end (each
    test's own changes, such as sessions, roll back to a savepoint inside it)."""
    import tempfile

    from django.db import transaction

    with (tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media),
          django_db_blocker.unblock(), transaction.atomic()):
        yield {**build_world(), "media_root": media}
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def world_media(request, settings):
    """The jobs' files were stored in the world's media folder: every test reads them from there."""
    if "world" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("world")["media_root"]


@pytest.fixture
def clients(world, db) -> dict[str, Client]:
    result = {"anonymous": Client()}
    for letter, username in PEOPLE.items():
        client = Client()
        client.force_login(world["users"][username])
        result[letter] = client
    return result


def url_of(name: str, world: dict) -> str:
    route = ROUTES[name]
    return reverse(name, kwargs=route.args(world) if route.args else None)


def expected(name: str, who: str, method: str) -> int:
    route = ROUTES[name]
    if route.allowed == PUBLIC:
        return route.get if method == "GET" else 405
    if route.allowed == PUBLIC_FORM:
        return route.get  # GET the form, or POST it empty: refused on the page, nothing written
    if name == "login":
        return 200 if who == "anonymous" else 302
    if who == "anonymous":
        return 302
    if route.post_only and method == "GET":
        return 405
    if who not in route.allowed:
        return 403
    return dict(route.get_by).get(who, route.get)


def test_every_url_answers_every_person_as_the_table_says(world, clients):
    """GET for everyone; POST (an empty form) for everyone who may not open the page: a refusal, never an action."""
    wrong = []
    for name in ROUTES:
        url = url_of(name, world)
        for who, client in clients.items():
            methods = ["GET"]
            if name not in ("login", "logout") and (who == "anonymous" or who not in ROUTES[name].allowed
                                                    or ROUTES[name].allowed in (PUBLIC, PUBLIC_FORM)):
                methods.append("POST")
            for method in methods:
                response = client.get(url) if method == "GET" else client.post(url, {})
                want = expected(name, who, method)
                if response.status_code != want:
                    wrong.append(f"{method} {url} ({name}) as {who}: {response.status_code}, expected {want}")
                elif want == 302 and who == "anonymous" and not response.url.startswith("/login/?next="):
                    wrong.append(f"{method} {url} as anonymous: sent to {response.url}, not to log in")
    assert wrong == []


# Public addresses of files that are not published: not found for everyone, anonymous visitors included, and the
# answer says nothing about the month.
PUBLIC_NOT_FOUND = [
    ("transparency:spending_file", lambda w: {"month": "2026-11"}),  # ended but not published
    ("transparency:spending_file", lambda w: {"month": "2099-01"}),  # not ended
    ("transparency:giving360_file", lambda w: {"year": "2026-27"}),
]


def test_unpublished_public_files_are_not_found_by_anyone(world, clients):
    wrong = []
    for name, args in PUBLIC_NOT_FOUND:
        url = reverse(name, kwargs=args(world))
        for who, client in clients.items():
            response = client.get(url)
            if response.status_code != 404 or b"2026-11" in response.content or b"2099" in response.content:
                wrong.append(f"GET {url} ({name}) as {who}: {response.status_code}")
    assert wrong == []


def test_objects_a_person_may_not_see_are_not_found(world, clients):
    wrong = []
    for name, args, not_found_for in HIDDEN:
        url = reverse(name, kwargs=args(world))
        for who in SIGNED_IN:
            want = 404 if who in not_found_for else (403 if who not in ROUTES[name].allowed else 200)
            got = clients[who].get(url).status_code
            if got != want:
                wrong.append(f"GET {url} ({name}) as {who}: {got}, expected {want}")
    assert wrong == []


def admin_urls(world) -> list[tuple[str, str, str]]:
    """(url, model label or '', kind) for every admin URL, with a real object where the URL needs one."""
    urls = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        obj = model._default_manager.order_by("pk").first()
        label = model._meta.label
        urls += [(reverse(f"admin:{info[0]}_{info[1]}_changelist"), label, "changelist"),
                 (reverse(f"admin:{info[0]}_{info[1]}_add"), label, "add")]
        object_id = obj.pk if obj is not None else MISSING
        for kind in ("change", "delete", "history"):
            urls.append((reverse(f"admin:{info[0]}_{info[1]}_{kind}", args=[object_id]),
                         label, kind if obj is not None else "missing"))
        version = obj.history.order_by("pk").first() if obj is not None and hasattr(obj, "history") else None
        if version is not None:
            urls.append((reverse(f"admin:{info[0]}_{info[1]}_simple_history", args=[obj.pk, version.history_id]),
                         label, "simple_history"))
    urls += [(reverse("admin:index"), "", "index"), (reverse("admin:app_list", args=["grants"]), "", "index"),
             (reverse("admin:jsi18n"), "", "index"), (reverse("admin:password_change_done"), "", "index"),
             (reverse("admin:password_change"), "", "password_change"),
             (reverse("admin:autocomplete"), "", "autocomplete"),
             (reverse("admin:view_on_site", args=[1, 1]), "", "view_on_site"),
             ("/admin/no-such-page/", "", "catch_all"),
             (reverse("admin:auth_user_password_change", args=[world["users"]["finance"].pk]), "", "index")]
    return urls


def test_only_the_admin_reaches_the_admin_site(world, clients):
    """Anonymous visitors are sent to a login page; the four roles are signed in but not staff, so every admin URL
    sends them to the admin's login page, which tells them they are not authorised."""
    wrong = []
    for url, _label, _kind in admin_urls(world):
        for who, login in (("anonymous", "/login/"), (F, "/admin/login/"), (C, "/admin/login/"),
                           (D, "/admin/login/"), (P, "/admin/login/")):
            response = clients[who].get(url)
            logins = ("/login/?next=", "/admin/login/?next=") if who == "anonymous" else (f"{login}?next=",)
            if response.status_code != 302 or not response.url.startswith(logins):
                wrong.append(f"GET {url} as {who}: {response.status_code} {response.get('Location', '')}")
    assert wrong == []


def test_the_admin_may_read_everything_but_change_only_reference_data(world, clients):
    wrong = []
    for url, label, kind in admin_urls(world):
        if kind in ("changelist", "change", "history", "simple_history", "index"):
            want = 200
        elif kind in ("add", "delete"):
            may_add, may_delete = ADMIN_MODELS[label]
            want = 200 if (may_add if kind == "add" else may_delete) else 403
        elif kind == "missing":
            want = 302  # the admin says the record does not exist and returns to its index
        elif kind == "password_change":
            want = 302  # to Ringfence's own page, which logs out everywhere after a change
        elif kind == "autocomplete":
            want = 403  # only for the admin's own search boxes, with their parameters
        elif kind == "view_on_site":
            want = 404
        else:  # catch_all
            want = 404
        got = clients[A].get(url).status_code
        if got != want:
            wrong.append(f"GET {url} ({label} {kind}) as admin: {got}, expected {want}")
    assert wrong == []


def test_anonymous_visitors_reach_only_the_login_pages_the_public_pages_and_static_files(world, clients):
    anonymous = clients["anonymous"]
    reached = []
    for name in ROUTES:
        url = url_of(name, world)
        if anonymous.get(url).status_code != 302 and ROUTES[name].allowed not in (PUBLIC, PUBLIC_FORM):
            reached.append(url)
    for url, _label, _kind in admin_urls(world):
        if anonymous.get(url).status_code != 302:
            reached.append(url)
    assert reached == [reverse("login")]
    assert anonymous.get(reverse("admin:login")).status_code == 200  # the admin's own login page (same lock-out)
    assert anonymous.get("/no-such-page/").status_code == 404  # nothing to log in to: a plain 404 page
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        response = Client().get("/static/css/ringfence.css")
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"/* Ringfence")


def test_resolving_each_table_url_finds_the_view_it_names(world, db):
    """Guards the table itself: each row's arguments build an address that resolves back to the same name."""
    for name in ROUTES:
        assert resolve(url_of(name, world)).view_name == name
