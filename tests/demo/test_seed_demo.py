from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from core.models import Event
from core.roles import roles_of
from funds.models import Fund
from ledger.models import JournalEntry, JournalLine
from ledger.verification import verify


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_loads_a_sound_ledger_and_can_run_twice(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-chosen-demo-password")
    first = seed()
    counts = (JournalEntry.objects.count(), JournalLine.objects.count(), Fund.objects.count(), Event.objects.count())
    assert counts[0] > 50 and counts[2] == 6
    assert verify().problems == []

    second = seed()
    assert "nothing posted" in second
    assert (JournalEntry.objects.count(), JournalLine.objects.count(), Fund.objects.count(),
            Event.objects.count()) == counts

    for username, role in (("finance", "Finance officer"), ("commissioner", "Commissioner"),
                           ("director", "Finance director")):
        user = authenticate(username=username, password="a-chosen-demo-password")
        assert user is not None and role in roles_of(user)
        assert username in first
