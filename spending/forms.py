"""Forms for supplier spending: they collect and shape input; every rule is in the services. A field's own check in
the service (a VAT number, VAT within the standard rate) is run here too when the form is refused anyway, so that
its refusal comes with a blank required field's (``core.forms.Form.service_checks``)."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import AmountField, FigureField, Form, ReasonField, UKDateField
from funds.models import BudgetLine
from grants.forms import category_choices
from grants.models import Organisation, ServiceCategory
from spending.invoices import vat_check
from spending.models import Order, Supplier
from spending.suppliers import normalise_vat_number


class SupplierForm(Form):
    service_checks = {"vat_number": normalise_vat_number}

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(supplier__isnull=True).order_by("name"),
        empty_label="Choose the organisation",
        help_text="An organisation already recorded (a grant recipient may also be a supplier). Not listed? Record it "
                  "first.",
    )
    vat_number = forms.CharField(label="VAT registration number", required=False, max_length=20,
                                 help_text="GB followed by nine digits, e.g. GB123456789; blank if not registered.")
    payment_terms_days = FigureField(label="Payment terms (days)", initial=30, maximum=120, example="30",
                                     kind="a whole number of days",
                                     help_text="Invoices fall due this many days after their date.")


class OrderForm(Form):
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.filter(is_active=True).select_related("organisation"),
        empty_label="Choose the supplier")
    budget_line = forms.ModelChoiceField(
        queryset=BudgetLine.objects.filter(fund__is_active=True, year__year_end_at__isnull=True)
        .select_related("fund", "year").order_by("-year__start_year", "fund__code", "heading"),
        empty_label="Choose the budget line", help_text="The fund, year and heading the order is committed against.")
    kind = forms.ChoiceField(choices=Order.Kind.choices, initial=Order.Kind.ORDER, widget=forms.RadioSelect)
    title = forms.CharField(max_length=200, help_text="What is bought, e.g. 'Sexual violence helpline 2025/26'.")
    start_date = UKDateField(label="Starts")
    end_date = UKDateField(label="Ends")
    amount = AmountField(label="Amount, net of recoverable VAT (£)")
    service_category = forms.ModelChoiceField(
        label="Service category", required=False, queryset=ServiceCategory.objects.none(),
        empty_label="Not categorised",
        help_text="The kind of service it pays for, e.g. helpline or ISVA; funder returns report spending by it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_category"].queryset = category_choices()


class DecisionNoteForm(Form):
    note = ReasonField(label="Note", required=False)


class RequiredNoteForm(Form):
    note = ReasonField(label="Why", help_text="Kept with the record and shown to the person who raised it.")


class CloseForm(Form):
    reason = ReasonField(label="Why is the order closed?",
                         help_text="For example 'Contract completed; final invoice approved'.")
    on = UKDateField(label="Date closed", required=False, help_text="Blank for today. For example, 31/03/2026")


class InvoiceForm(Form):
    supplier_reference = forms.CharField(label="Supplier's invoice number", max_length=40)
    invoice_date = UKDateField(label="Invoice date")
    description = forms.CharField(max_length=200, help_text="What the invoice is for, e.g. 'Helpline, June 2025'.")
    net = AmountField(label="Net (£)")
    vat = AmountField(label="VAT (£)", allow_zero=True, required=False, help_text="Blank or 0 if none.")
    vat_recoverable = forms.BooleanField(
        label="The VAT is recoverable", required=False, initial=True,
        help_text="Policing bodies recover VAT (VAT Act 1994 s.33); untick where this item's is not: the budget then "
                  "bears the gross.")
    due_date = UKDateField(label="Due date", required=False, help_text="Blank for the supplier's payment terms.")

    def clean(self):
        """VAT above the standard rate is reported with the form's own refusals (as ``service_checks``)."""
        data = super().clean()
        if self.errors and data.get("net") is not None and "vat" not in self.errors:
            try:
                vat_check(data["net"], data.get("vat") or 0)
            except ValidationError as error:
                self.add_error(None, error)
        return data


class ApproveDateForm(Form):
    on = UKDateField(label="Date", required=False, help_text="Blank for today. For example, 31/03/2026")


class ReverseForm(Form):
    reason = ReasonField(help_text="Why it is being reversed; kept with it.")
    on = UKDateField(label="Date of the reversal", required=False, help_text="Blank for today.")
