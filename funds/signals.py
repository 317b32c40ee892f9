"""Signals the funds app sends for the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent inside the closing transaction, with ``period`` and ``by``. A receiver that raises ValidationError refuses the
# close (ledger.anchors records the chain head here, and a close whose anchor cannot be written does not happen).
period_closed = Signal()
