"""Fixtures for payment runs. From the grants tests: Brindley Survivors Trust (verified bank details) and a
£60,000.00 grant from MOJ-CORE 2025/26 whose Q1 instalment (£15,000.00) may be paid from 01/07/2025. From the
supplier spending tests: Pennine Helpline Ltd and its invoice PH-1001 (£18,000.00 gross, approved 03/07/2025, due
30/07/2025). Delegated limits: Oscar (finance officer) £100,000.00, Dmitri (finance director) £1,000,000.00,
Diana (finance director) £250,000.00; Olivia prepares the runs."""

from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Max

from core.roles import FINANCE_DIRECTOR
from payments.limits import delegated_limit_set
from tests.conftest import make_user
from tests.grants.conftest import (  # noqa: F401  (fixtures)
    accepted_grant,
    approved_grant,
    draft_grant,
    fast_password_hashing,
    org,
    payable_grant,
    service,
    submitted_grant,
)
from tests.spending.conftest import (  # noqa: F401  (fixtures)
    approved_invoice,
    contract,
    fund,
    helpline_line,
    organisation,
    recorded_invoice,
    running_line,
    supplier,
)

PAY_ON = date(2025, 7, 30)
APPS = ("core", "funds", "ledger", "income", "grants", "spending", "payments")


def db_state() -> dict:
    """Row count and highest id of every table of the application (history included): equal before and after a
    refused call means the refusal wrote nothing. Also the payment file hash and status of every run."""
    from payments.models import PaymentRun, PaymentRunItem

    state = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            manager = model._base_manager
            state[model._meta.label] = (manager.count(), manager.aggregate(m=Max("pk"))["m"])
    state["runs"] = sorted(PaymentRun.objects.values_list("id", "status", "file_sha256"))
    state["items"] = sorted(PaymentRunItem.objects.values_list("id", "status", "live", "bank_details_id"))
    return state


def verify_ledger_passes():
    call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())  # exits non-zero (SystemExit) on a fault


@pytest.fixture
def director2(db):
    return make_user("dmitri", FINANCE_DIRECTOR)


@pytest.fixture
def limits(director, director2, officer2):
    delegated_limit_set(user=officer2, amount="100000.00", by=director, note="Scheme of delegation 4.2")
    delegated_limit_set(user=director2, amount="1000000.00", by=director, note="Scheme of delegation 4.1")
    delegated_limit_set(user=director, amount="250000.00", by=director2, note="Scheme of delegation 4.1")


@pytest.fixture
def due(payable_grant, approved_invoice, limits):  # noqa: F811
    """On 30/07/2025: Brindley's Q1 instalment (£15,000.00) and Pennine's invoice PH-1001 (£18,000.00)."""
    return payable_grant, approved_invoice
