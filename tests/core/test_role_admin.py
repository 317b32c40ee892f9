import pytest
from django.contrib.auth.models import Group

from core.roles import FINANCE_OFFICER


@pytest.mark.django_db
def test_role_groups_cannot_be_renamed_or_deleted_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    group = Group.objects.get(name=FINANCE_OFFICER)
    page = client.get(f"/admin/auth/group/{group.pk}/change/")
    assert page.status_code == 200
    assert b'name="name"' not in page.content  # shown read-only, not as an input
    client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Renamed", "permissions": []})
    assert Group.objects.filter(name=FINANCE_OFFICER).exists()
    assert client.get(f"/admin/auth/group/{group.pk}/delete/").status_code == 403
