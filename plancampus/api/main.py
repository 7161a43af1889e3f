"""The one NinjaAPI instance, mounted at ``/api/`` by ``config/urls.py``.

OpenAPI schema: ``/api/openapi.json``; interactive docs (Swagger UI, served from ninja's own
static files, so no CDN and no inline script): ``/api/docs``.
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer

from plancampus.core.api import router as core_router
from plancampus.training.api import router as training_router
from plancampus.training.api_certificates import router as certificates_router

from .auth import BearerToken, MemberSession
from .errors import install_error_handlers

DESCRIPTION = """\
Read the PlanCampus directory (administrative areas, organisations and people) from scripts
and other systems.

**Authentication.** Create a personal token on the page `/account/tokens/` and send it as
`Authorization: Bearer <token>`. In a browser where you are logged in, this page also works
with your session.

**Pagination.** Lists take `limit` (1–200, default 50) and `offset`, and answer
`{"count", "limit", "offset", "next_offset", "items"}`.

**Errors** are JSON: `{"detail": "what is wrong"}`; 401 without a valid token, 403 for an
account without a role in an institution, 404 for what does not exist *or is not visible to
you*, 422 (with `errors`) for invalid parameters.

**Synthetic data.** Records with `is_synthetic: true` were made up for the demonstration.
"""


class UTF8JSONRenderer(JSONRenderer):
    """Khmer and French names as readable UTF-8, not ``\\u17..`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="PlanCampus API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[BearerToken(), MemberSession(csrf=True)],
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": True}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=UTF8JSONRenderer(),
)
install_error_handlers(api)
api.add_router("", core_router)
api.add_router("", training_router)
api.add_router("", certificates_router)
