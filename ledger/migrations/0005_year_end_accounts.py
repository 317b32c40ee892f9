from django.db import migrations

from ledger.accounts import CHART


def create_accounts(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    for code, name, type_, role in CHART:
        Account.objects.update_or_create(code=code, defaults={"name": name, "type": type_, "role": role})


class Migration(migrations.Migration):
    """The accounts of the year end: accruals, earmarked reserves carried and brought forward, lapses, and the
    transfer of unspent money out of a year."""

    dependencies = [("ledger", "0004_position_not_negative")]
    operations = [migrations.RunPython(create_accounts, migrations.RunPython.noop)]
