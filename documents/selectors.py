"""Reading documents: only what the person may see."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from documents.models import Attachment
from documents.visibility import is_office, may_see


def attachments_for(record, *, user) -> list[Attachment]:
    """The documents on ``record`` that ``user`` may see, newest first; withdrawn ones included (``is_withdrawn``
    marks them). Empty for a record the user may not see."""
    if record is None or record.pk is None or not may_see(user, record):
        return []
    rows = (Attachment.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
            .select_related("uploaded_by", "withdrawn_by"))
    if not is_office(user):
        rows = rows.filter(Q(visible_to_provider=True) | Q(uploaded_by=user))
    return list(rows)
