"""Statements for the finance directors' group. Importing this package registers them; their
``order`` sets their place in a pack."""

from reports.statements import (
    changes,  # noqa: F401
    fund,  # noqa: F401
    grants,  # noqa: F401
    monitoring,  # noqa: F401
    quarterly,  # noqa: F401
    retained,  # noqa: F401
)
