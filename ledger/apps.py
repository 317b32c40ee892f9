from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = "Ledger"

    def ready(self):
        from funds.signals import period_closed

        period_closed.connect(_anchor_on_close, dispatch_uid="ledger.anchor_on_close")


def _anchor_on_close(sender, *, period, by, **kwargs):
    from ledger.anchors import anchor_record

    anchor_record(event=f"period closed: {period}")
