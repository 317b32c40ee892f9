from django.apps import AppConfig


class IncomeConfig(AppConfig):
    name = "income"
    verbose_name = "Income: awards, receipts, proceeds of crime, fines and fees"
