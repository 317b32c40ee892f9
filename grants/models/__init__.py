"""Grants to commissioned services. Split by aggregate; import everything from ``grants.models``."""

from grants.models.awards import Decision, FundingLine, Grant, ServiceCategory, validate_decision_number
from grants.models.checks import CheckType, GrantCheck
from grants.models.organisations import BankDetails, CommissionedService, Organisation
from grants.models.outcomes import AnnualReview, MonitoringReturn, OutcomeMeasure, OutcomeTarget, ReturnValue
from grants.models.payments import Clawback, Instalment, Payment
from grants.models.providers import BankChangeRequest, ProviderAccount
from grants.models.variations import GrantVariation, VariationLine

__all__ = [
    "AnnualReview", "BankChangeRequest", "BankDetails", "CheckType", "Clawback", "CommissionedService", "Decision",
    "FundingLine", "Grant", "GrantCheck", "GrantVariation", "Instalment", "MonitoringReturn", "Organisation",
    "OutcomeMeasure", "OutcomeTarget", "Payment", "ProviderAccount", "ReturnValue", "ServiceCategory", "VariationLine",
    "validate_decision_number",
]
