"""The decision log: every recorded (numbered) decision of the commissioner, for publication (DOMAIN.md 8 and 12).

A public decision shows its number, title (the first sentence of its summary when it has no title), date,
decision-maker and "Public". A confidential one shows its number, its date, "Confidential" and the reason it is
confidential, and nothing else: no title, no decision-maker. Rows in date order, then by number. Dates ISO 8601.
"""

import re
from dataclasses import dataclass
from datetime import date

from grants.models import Decision
from grants.publication import withheld_decisions
from transparency.redaction import csv_bytes

HEADER = ("Decision number", "Title", "Date", "Decision-maker", "Public or confidential", "Reason confidential")
PUBLIC, CONFIDENTIAL = "Public", "Confidential"
NO_REASON = "Reason not recorded"  # decisions recorded before the reason was asked for
SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class DecisionRow:
    number: str
    title: str
    date: date
    decision_maker: str
    status: str
    reason: str

    @property
    def anchor(self) -> str:
        """The row's anchor on the decision log page, which the 360Giving package links to."""
        return f"decision-{self.number}"

    def cells(self) -> list[str]:
        return [self.number, self.title, self.date.isoformat(), self.decision_maker, self.status, self.reason]


def first_sentence(text: str) -> str:
    """The summary's first sentence, without its full stop."""
    text = " ".join((text or "").split())
    sentence = SENTENCE_END.split(text, maxsplit=1)[0]
    return sentence[:-1] if sentence.endswith(".") else sentence


def decision_rows() -> list[DecisionRow]:
    rows = []
    withheld = withheld_decisions()  # cited by a do-not-publish or refuge grant: confidential whatever was recorded
    for decision in Decision.objects.select_related("decision_maker").order_by("date", "number"):
        if decision.pk in withheld and decision.is_public:
            rows.append(DecisionRow(decision.number, "", decision.date, "", CONFIDENTIAL, withheld[decision.pk]))
        elif decision.is_public:
            maker = decision.decision_maker
            rows.append(DecisionRow(decision.number, decision.title.strip() or first_sentence(decision.summary),
                                    decision.date, maker.get_full_name() or maker.get_username(), PUBLIC, ""))
        else:
            rows.append(DecisionRow(decision.number, "", decision.date, "", CONFIDENTIAL,
                                    decision.confidential_reason.strip() or NO_REASON))
    return rows


def decisions_filename(on: date) -> str:
    return f"decision-log-{on:%Y-%m-%d}.csv"


def decisions_csv() -> tuple[bytes, int]:
    rows = decision_rows()
    return csv_bytes(HEADER, (row.cells() for row in rows)), len(rows)
