"""Grants to commissioned services (issue 4). Writes are keyword-only services, reads are selectors:

- ``grants.organisations``: organisation_create/update, service_create, bank_details_submit/verify/reject,
  current_bank_details, require_verified_bank_details
- ``grants.awards``: grant_create, grant_update, funding_line_set/remove, decision_record (drafting; decisions)
- ``grants.workflow``: TRANSITIONS (the one table of allowed moves), grant_submit, grant_approve (commits in the
  ledger), grant_reject, grant_return, grant_offer_accept, grant_close, grant_withdraw
- ``grants.checks``: check_complete, check_reopen (due diligence and fraud-risk checklist)
- ``grants.schedule``: schedule_update with InstalmentChange (instalments are generated on approval)
- ``grants.payments``: payment_record, clawback_record, payment_reverse, clawback_reverse
- ``grants.variations``: variation_request, variation_approve, variation_reject
- ``grants.outcomes``: outcome_measure_create, outcome_target_set, monitoring_return_submit/accept/send_back,
  annual_review_record
- ``grants.selectors``: grants_awaiting_approval, variations_awaiting_approval, bank_details_awaiting_verification,
  instalments_due, returns_due, grant_totals, grant_remaining, grants_with_totals, grant_timeline

Refusals raise ValidationError (a field dict where a field is at fault) and write nothing; role refusals raise
PermissionDenied. Money-moving services lock funds -> grant -> instalment (see ``grants.locks``).
"""
