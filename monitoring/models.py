"""Budget monitoring: RAG thresholds (data) and the budget holder's commentary per budget line per month."""
