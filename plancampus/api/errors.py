"""Errors as JSON with a clear message: ``{"detail": "..."}`` (plus ``errors`` for 422)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError


class ErrorOut(Schema):
    detail: str


class ValidationIssue(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[ValidationIssue]


# The error answers every authenticated operation can give; list endpoints add nothing else.
ERROR_RESPONSES: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    422: ValidationErrorOut,
}
NOT_FOUND_RESPONSES: dict[int, Any] = {**ERROR_RESPONSES, 404: ErrorOut}


def _not_found(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    message = str(exc) if exc.args and exc.args[0] else str(_("Not found."))
    return api.create_response(request, {"detail": message}, status=404)


def _unauthenticated(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    message = exc.message
    if message == "Unauthorized":  # ninja's default, when no credentials were sent at all
        message = str(
            _(
                "Authentication required: send the header 'Authorization: Bearer <token>' "
                "with a token created on the page /account/tokens/."
            )
        )
    response = api.create_response(request, {"detail": message}, status=exc.status_code)
    response["WWW-Authenticate"] = 'Bearer realm="PlanCampus API"'
    return response


def _http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _forbidden(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    detail = str(_("Your role does not allow this."))
    return api.create_response(request, {"detail": detail}, status=403)


def _invalid(request: HttpRequest, exc: ValidationError, api: NinjaAPI) -> HttpResponse:
    errors = [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors
    ]
    where = "; ".join(f"{'.'.join(map(str, e['loc'][1:] or e['loc']))}: {e['msg']}" for e in errors)
    detail = str(_("Invalid request: %(problems)s")) % {"problems": where}
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers with ones that always answer ``{"detail": ...}``."""
    api.add_exception_handler(Http404, lambda r, e: _not_found(r, e, api))
    api.add_exception_handler(AuthenticationError, lambda r, e: _unauthenticated(r, e, api))
    api.add_exception_handler(HttpError, lambda r, e: _http_error(r, e, api))
    api.add_exception_handler(PermissionDenied, lambda r, e: _forbidden(r, e, api))
    api.add_exception_handler(ValidationError, lambda r, e: _invalid(r, e, api))


def unknown_path(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any ``/api/…`` address that is no operation: the API's JSON 404, not the HTML page."""
    from django.http import JsonResponse

    return JsonResponse(
        {"detail": str(_("No such API address: see /api/docs for the operations."))}, status=404
    )
