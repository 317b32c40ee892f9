from django.db import migrations

PROVIDER = "Provider"


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=PROVIDER)


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=PROVIDER).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_login_gate")]
    operations = [migrations.RunPython(create_role, remove_role)]
