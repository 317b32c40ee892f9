from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Statements and exports"

    def ready(self):
        # Registers every statement, and lets the monitoring app (below reports) find its statement class.
        import reports.statements  # noqa: F401
