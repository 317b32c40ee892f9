"""The service categories a funder return reports spending by (grants.ServiceCategory), so they exist in every
installation, production included. Each gets its "created" history row, as if saved with a reason. Categories are
data: more may be added, and any retired (is_active), in the admin."""

from django.db import migrations
from django.utils import timezone

CATEGORIES = [
    ("isva", "ISVA (independent sexual violence advisers)"),
    ("idva", "IDVA (independent domestic violence advisers)"),
    ("counselling", "Counselling"),
    ("helpline", "Helpline"),
    ("refuge", "Refuge"),
    ("restorative-justice", "Restorative justice"),
    ("other", "Other services"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("grants", "ServiceCategory")
    History = apps.get_model("grants", "HistoricalServiceCategory")
    now = timezone.now()
    for code, name in CATEGORIES:
        if Category.objects.filter(code=code).exists() or Category.objects.filter(name=name).exists():
            continue
        category = Category.objects.create(code=code, name=name, is_active=True)
        History.objects.create(id=category.pk, code=code, name=name, is_active=True, history_date=now,
                               history_type="+", history_change_reason="Standard service categories (migration)")


class Migration(migrations.Migration):

    dependencies = [
        ("grants", "0006_publication_fields_and_service_categories"),
        ("spending", "0002_order_service_category"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
