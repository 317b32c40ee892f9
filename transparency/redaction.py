"""What a published file must not name, and why: the one place the redaction rules live.

- A payment (or contract) on a grant marked do-not-publish, or of the refuge service category, or an order for a
  refuge (``grants.publication``, the rule shared with the 360Giving package): the beneficiary and the purpose are
  redacted, with the grant's do-not-publish reason (e.g. "Safety: the service runs a refuge whose location must
  stay confidential.").
- Anything else paid to, or a contract with, an organisation that holds any grant marked do-not-publish (a supplier
  payment, a payment on its other grants): naming it next to the money would point at the refuge, so the beneficiary
  and the purpose are redacted with that grant's reason.
- An organisation that is a person (``Organisation.is_individual``): the beneficiary is redacted, with the reason
  ``INDIVIDUAL_REASON`` (personal data under UK GDPR); the purpose stays.

The redacted cells read ``REDACTED``; the row says ``Yes`` in the Redacted column and gives the reason(s), joined
with "; " when more than one applies. Nothing else in a row (date, amount, fund) is redacted.

The files are also written for spreadsheets: ``csv_bytes`` neutralises text a spreadsheet would run as a formula.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from core.money import quantize
from grants.models import Grant
from grants.publication import REFUGE_CATEGORY, REFUGE_REASON, grant_withheld_reason, unpublishable_organisations
from reports.cells import neutralise
from spending.models import Order

REDACTED = "REDACTED"
INDIVIDUAL_REASON = "Payment to an individual: personal data (UK GDPR)"


@dataclass(frozen=True)
class Redaction:
    name: bool = False  # beneficiary / supplier redacted
    purpose: bool = False  # summary of purpose / description redacted
    reasons: tuple[str, ...] = ()

    @property
    def redacted(self) -> bool:
        return self.name or self.purpose

    @property
    def reason(self) -> str:
        return "; ".join(dict.fromkeys(self.reasons))

    def __add__(self, other: "Redaction") -> "Redaction":
        return Redaction(self.name or other.name, self.purpose or other.purpose, self.reasons + other.reasons)


NONE = Redaction()


class Redactions:
    """Looks up, once per file, which organisations hold a do-not-publish grant (and its reason)."""

    def __init__(self):
        # grants.publication holds the rule (do-not-publish grants, refuge grants), shared with 360Giving; orders
        # and contracts for a refuge name their supplier just as surely.
        self.unpublishable: dict[int, str] = unpublishable_organisations()
        refuge_suppliers = (Order.objects.filter(service_category__code=REFUGE_CATEGORY)
                            .order_by("supplier__organisation_id").values_list("supplier__organisation_id", flat=True))
        for organisation_id in refuge_suppliers:
            self.unpublishable.setdefault(organisation_id, REFUGE_REASON)

    def for_organisation(self, organisation, *, grant: Grant | None = None) -> Redaction:
        """Money paid to (or a contract with) ``organisation``; ``grant``: the grant a payment is made on, whose own
        reason for being withheld is given first."""
        result = NONE
        withheld = grant_withheld_reason(grant) if grant is not None else None
        if withheld:
            result += Redaction(name=True, purpose=True, reasons=(withheld,))
        elif organisation.pk in self.unpublishable:
            result += Redaction(name=True, purpose=True, reasons=(self.unpublishable[organisation.pk],))
        if organisation.is_individual:
            result += Redaction(name=True, reasons=(INDIVIDUAL_REASON,))
        return result


def body_name() -> str:
    return settings.RINGFENCE["OWNING_BODY"]


def amount_text(value) -> str:
    """An amount as a plain number with two decimals (1234.50): no £, no thousands separators."""
    return f"{quantize(value if value is not None else Decimal('0')):.2f}"


def csv_bytes(header, rows) -> bytes:
    """UTF-8, CRLF line ends, every text cell neutralised against formula injection; the same rows give the same
    bytes (no timestamps)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) if isinstance(cell, str) else cell for cell in row])
    return buffer.getvalue().encode("utf-8")
