"""Forms of the core app."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .services.people_import import SpreadsheetError, check_header, read_spreadsheet


def too_big_message(size: int | None = None) -> str:
    limit = filesizeformat(settings.MAX_UPLOAD_BYTES)
    if size is None:
        return str(
            _("The file is larger than the limit of %(limit)s. Split it into several files.")
            % {"limit": limit}
        )
    return str(
        _("The file is %(size)s; the limit is %(limit)s. Split it into several files.")
        % {"size": filesizeformat(size), "limit": limit}
    )


class PersonImportForm(forms.Form):
    """Upload of a people spreadsheet. File-level problems (type, encoding, columns, size,
    number of rows) are reported here at once; row-level checks run in the background job."""

    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("A CSV file saved as UTF-8, or an Excel workbook (.xlsx)."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,.xls,.ods,text/csv,application/vnd.ms-excel"}
        ),
    )
    update_existing = forms.BooleanField(
        label=_("Update people already in the directory"),
        help_text=_(
            "A row whose staff identifier is already in the directory updates that person "
            "instead of being reported as a duplicate. Empty optional cells keep what the "
            "directory holds."
        ),
        required=False,
    )
    allow_probable_duplicates = forms.BooleanField(
        label=_("Import probable duplicates anyway"),
        help_text=_(
            "A row with the same name and organisation as someone already in the directory, "
            "without a staff identifier to tell them apart, is normally refused. Tick this "
            "once you have checked that they are different people."
        ),
        required=False,
    )

    content: bytes = b""  # the file, once valid
    row_count: int = 0

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise ValidationError(too_big_message(upload.size), code="too_big")
        content = upload.read()
        try:
            sheet = read_spreadsheet(data=content, filename=upload.name or "")
        except SpreadsheetError as error:
            raise ValidationError(_located(error.problem), code=error.problem.code) from None
        problems = check_header(sheet.header)
        if problems:
            raise ValidationError([_located(p) for p in problems], code="columns")
        self.content = content
        self.row_count = len(sheet.rows)
        return upload


def _located(problem) -> str:  # type: ignore[no-untyped-def]
    if problem.row and problem.column:
        return str(
            _("Row %(row)s, column %(column)s: %(message)s")
            % {"row": problem.row, "column": problem.column, "message": problem.message}
        )
    if problem.row:
        return str(_("Row %(row)s: %(message)s") % {"row": problem.row, "message": problem.message})
    return problem.message
