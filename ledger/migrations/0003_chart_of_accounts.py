from django.db import migrations

from ledger.accounts import CHART


def create_chart(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    for code, name, type_, role in CHART:
        Account.objects.update_or_create(code=code, defaults={"name": name, "type": type_, "role": role})
    apps.get_model("ledger", "ChainHead").objects.get_or_create(pk=1)


def remove_chart(apps, schema_editor):
    apps.get_model("ledger", "Account").objects.filter(code__in=[row[0] for row in CHART]).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only_triggers")]
    operations = [migrations.RunPython(create_chart, remove_chart)]
