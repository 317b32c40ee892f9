"""The standard due diligence and fraud-risk checklist (GovS 015 practice). Data: finance may add or retire items."""

from django.db import migrations

CHECKS = [
    # code, label, kind, guidance
    ("registration", "Registration and governing documents checked", "due_diligence",
     "Charity or company register entry, governing document, trustees or directors as listed."),
    ("accounts", "Latest accounts reviewed: financial standing and reserves", "due_diligence",
     "Most recent filed accounts; note reserves in months and any going-concern note."),
    ("safeguarding", "Safeguarding policy and DBS arrangements in place", "due_diligence",
     "Policy seen, named lead, DBS checks for staff working with victims."),
    ("insurance", "Public and employer's liability insurance in date", "due_diligence", "Certificates seen with dates."),
    ("bank-account", "Bank account in the organisation's own name confirmed", "fraud_risk",
     "Bank statement or bank letter; never details from an email alone."),
    ("counter-fraud", "Counter-fraud checks on the organisation and its directors", "fraud_risk",
     "Spotlight or equivalent checks, disqualified directors, adverse media."),
    ("conflicts", "Conflicts of interest declared and managed", "fraud_risk",
     "Declarations from assessors and approvers; any conflict recorded with how it is managed."),
]


def create(apps, schema_editor):
    CheckType = apps.get_model("grants", "CheckType")
    for order, (code, label, kind, guidance) in enumerate(CHECKS, start=1):
        CheckType.objects.get_or_create(code=code, defaults={"label": label, "kind": kind, "guidance": guidance,
                                                             "order": order})


def remove(apps, schema_editor):
    apps.get_model("grants", "CheckType").objects.filter(code__in=[c[0] for c in CHECKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
