"""The upload page for bulk income imports (finance officers). The rules are in income.importing.

A file of 5,000 rows takes longer to check and record than anyone should wait for a page, so the page only checks
the form (a file, at most 10 MB), queues the import for the background worker (``core.background``; the file is
kept in storage for it) and sends the person to the job's page, which shows the progress and then the report:
every failing row with its column, or what was (or, checking only, would be) recorded.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.background import INCOME_IMPORT, background_start
from core.permissions import role_required
from core.roles import FINANCE_OFFICERS
from income.import_files import MAX_BYTES, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from income.import_forms import IncomeImportForm
from income.importing import KINDS

# The file plus the form's other fields and multipart boundaries; anything larger is refused unread.
MAX_REQUEST_BYTES = MAX_BYTES + 256 * 1024
TEMPLATE = "income/import.html"


def _context(form, refused=""):
    return {
        "form": form, "refused": refused, "title": "Import income from a spreadsheet",
        "multipart": True,
        "submit_label": "Check or import the file", "required_columns": REQUIRED_COLUMNS,
        "optional_columns": OPTIONAL_COLUMNS, "kinds": KINDS,
    }


@csrf_exempt  # CSRF is checked below, once the size is known to be acceptable (Django's pattern for uploads)
@role_required(*FINANCE_OFFICERS)
def income_import_page(request):
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_REQUEST_BYTES:
            # Refused before a byte of the body is read or stored: nothing is parsed, nothing changes.
            refused = (f"The file is larger than 10 MB ({length / (1024 * 1024):.1f} MB were sent); the largest file "
                       "accepted is 10 MB. Split it into smaller files. Nothing was written.")
            return render(request, TEMPLATE, _context(IncomeImportForm(), refused=refused), status=413)
    return _income_import_page(request)


@csrf_protect
def _income_import_page(request):
    if request.method != "POST":
        return render(request, TEMPLATE, _context(IncomeImportForm()))
    form = IncomeImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, _context(form))
    upload = form.cleaned_data["file"]
    check_only = form.cleaned_data["check_only"]
    started = background_start(kind=INCOME_IMPORT, by=request.user, parameters={"check_only": check_only},
                               upload=upload)
    messages.success(request, f"{upload.name} is queued to be {'checked' if check_only else 'imported'} as job "
                              f"{started.number}. This page shows its progress, then its report.")
    return redirect(started.url)
