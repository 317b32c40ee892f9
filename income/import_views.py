"""The upload page for bulk income imports (finance officers). The rules are in income.importing."""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.permissions import role_required
from core.roles import FINANCE_OFFICERS
from income.import_files import MAX_BYTES, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from income.import_forms import IncomeImportForm
from income.importing import KINDS, income_import

# The file plus the form's other fields and multipart boundaries; anything larger is refused unread.
MAX_REQUEST_BYTES = MAX_BYTES + 256 * 1024
TEMPLATE = "income/import.html"


def _context(form, report=None, refused=""):
    return {
        "form": form, "report": report, "refused": refused, "title": "Import income from a spreadsheet",
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
    report = income_import(name=upload.name, data=upload.read(), by=request.user,
                           dry_run=form.cleaned_data["check_only"])
    if not report.ok:
        form.add_error("file", report.summary())
    return render(request, TEMPLATE, _context(form, report))
