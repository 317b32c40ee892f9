from django.apps import AppConfig


class YearEndConfig(AppConfig):
    name = "yearend"
    verbose_name = "Year end"
