"""Import of people from a spreadsheet: the upload page and the template downloads.

The upload's size is checked before its body is read (Content-Length), and a body that is
too large for Django's limits (RequestDataTooBig) answers the same friendly page with a 400,
instead of Django's bare error page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from ..access import Access, access_for, institution_for_action
from ..forms import PersonImportForm, too_big_message
from ..models import BackgroundJob, Organisation
from ..services import people_import

# Room for the multipart envelope and the form's other fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def _page(
    request: HttpRequest,
    access: Access,
    form: PersonImportForm,
    *,
    status: int = 200,
    upload_error: str = "",
) -> HttpResponse:
    recent = BackgroundJob.objects.filter(
        created_by=request.user, kind=people_import.JOB_KIND
    ).order_by("-created_at")[:5]
    return render(
        request,
        "core/person_import.html",
        {
            "form": form,
            "upload_error": upload_error,
            "columns": people_import.COLUMNS,
            "max_rows": people_import.MAX_ROWS,
            "max_bytes": settings.MAX_UPLOAD_BYTES,
            "recent_jobs": recent,
        },
        status=status,
    )


@csrf_exempt  # CSRF is checked by _import_post, once the size has been checked
@login_required
def person_import(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    institution = institution_for_action(access, "people.import")
    if request.method != "POST":
        return _page(request, access, PersonImportForm())
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES:
        return _page(
            request, access, PersonImportForm(), status=400, upload_error=too_big_message()
        )
    try:
        return _import_post(request, access, institution)
    except RequestDataTooBig:
        return _page(
            request, access, PersonImportForm(), status=400, upload_error=too_big_message()
        )


@csrf_protect
def _import_post(request: HttpRequest, access: Access, institution: Organisation) -> HttpResponse:
    form = PersonImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, access, form, status=400)
    upload = form.cleaned_data["file"]
    job = people_import.people_import_enqueue(
        user=request.user,  # type: ignore[arg-type]
        institution=institution,
        filename=upload.name or "people.csv",
        data=form.content,
        update_existing=form.cleaned_data["update_existing"],
        allow_probable_duplicates=form.cleaned_data["allow_probable_duplicates"],
        title=_("Import of people from %(filename)s") % {"filename": upload.name},
    )
    return redirect("job-detail", pk=job.pk)


@login_required
def person_import_template(request: HttpRequest, extension: str) -> HttpResponse:
    institution_for_action(access_for(request), "people.import")
    if extension == "csv":
        content, content_type = people_import.template_csv(), "text/csv; charset=utf-8"
    elif extension == "xlsx":
        content = people_import.template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="plancampus-people-template.{extension}"'
    )
    return response
