"""Pages for organisations, grants, payments, returns and variations: thin views over the grants services.

A draft grant is not shown to commissioners (see ``common.visible_grants``); the same rule applies to the
generic history pages of grants.
"""

from core.history import register_scope
from grants.views.common import visible_grants

register_scope("grants.grant", visible_grants)
