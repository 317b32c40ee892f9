"""The admin's history pages show old versions but never save one back: django-simple-history's revert form would
otherwise write a whole old version (read-only fields included) with no reason and no business event, on editable
admins as well as read-only ones."""

import pytest

from tests.rules.conftest import page_text
from tests.web.conftest import signed_in


@pytest.mark.parametrize("model", ["funds.fund", "funds.funder"])
def test_the_revert_form_shows_an_old_version_but_saves_nothing(core_fund, admin_user, unchanged_database, model):
    obj = core_fund if model == "funds.fund" else core_fund.funder
    obj.name = f"{obj.name} (renamed)"
    obj.save()
    version = obj.history.order_by("history_id").first()
    url = f"/admin/{model.replace('.', '/')}/{obj.pk}/history/{version.history_id}/"
    client = signed_in(admin_user)
    assert client.get(url).status_code == 200
    with unchanged_database():
        assert client.post(url, {"name": "Reverted", "code": "HACKED"}).status_code == 403
    obj.refresh_from_db()
    assert obj.name.endswith("(renamed)")


def test_the_admin_history_list_reads_as_the_history_pages_do(core_fund, admin_user):
    core_fund.virement_threshold = core_fund.virement_threshold.__class__("30000.00", "GBP")
    core_fund.save()
    text = page_text(signed_in(admin_user).get(f"/admin/funds/fund/{core_fund.pk}/history/"))
    assert "Virement threshold" in text and "£30,000.00" in text
