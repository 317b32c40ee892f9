"""Demo users, one per role, with the password from DEMO_PASSWORD."""

import os

from django.contrib.auth.models import Group, User

from core.roles import COMMISSIONER, FINANCE_DIRECTOR, FINANCE_OFFICER

DEFAULT_PASSWORD = "ringfence-demo-2026"

DEMO_USERS = [
    # username, first, last, role, is_staff/superuser
    ("finance", "Priya", "Sandhu", FINANCE_OFFICER, False),
    ("finance2", "Tom", "Okafor", FINANCE_OFFICER, False),
    ("commissioner", "Helen", "Marsh", COMMISSIONER, False),
    ("commissioner2", "David", "Achebe", COMMISSIONER, False),
    ("director", "Margaret", "Lowe", FINANCE_DIRECTOR, False),
    ("admin", "Back", "Office", None, True),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def seed_people() -> dict[str, User]:
    password = demo_password()
    users = {}
    for username, first, last, role, is_admin in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@ringfence.example",
                      "is_staff": is_admin, "is_superuser": is_admin},
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users
