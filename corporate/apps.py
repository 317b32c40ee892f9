from django.apps import AppConfig


class CorporateConfig(AppConfig):
    name = "corporate"
    verbose_name = "Corporate ledger"
