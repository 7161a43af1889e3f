"""Who is calling the API: a personal token, or the browser session of a logged-in member.

A request authenticates with ``Authorization: Bearer <token>`` (tokens come from the page
``/account/tokens/``) or, for the interactive docs at ``/api/docs``, with the session cookie
(CSRF is checked for unsafe methods). A bearer token that is sent but unknown, expired or
revoked answers 401 at once: it never falls back to the session.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from plancampus.core.access import Access, access_for
from plancampus.core.models import ApiToken, User

# ``last_used_at`` is written at most once per interval, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def token_record_use(token: ApiToken) -> None:
    """Stamp ``last_used_at`` unless it was stamped less than a minute ago."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


class BearerToken(HttpBearer):
    """``Authorization: Bearer pc_…``: a personal API token (only its hash is stored)."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        api_token = ApiToken.objects.authenticate(token.strip())
        if api_token is None:
            raise AuthenticationError(
                401,
                str(
                    _(
                        "This API token is unknown, expired or revoked. "
                        "Create a new one on the page /account/tokens/."
                    )
                ),
            )
        token_record_use(api_token)
        # The rest of the request (access rules, audit history) sees the token's owner.
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class MemberSession(SessionAuth):
    """The Django session of a logged-in user (for the interactive docs in a browser)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if user.is_authenticated else None  # type: ignore[return-value]


def member_access(request: HttpRequest) -> Access:
    """The caller's reach; 403 when the account has no membership in any institution."""
    access = access_for(request)
    if not access.is_member:
        raise AuthorizationError(
            403,
            str(
                _(
                    "Your account has no active role in an institution, so it cannot read "
                    "the directory. Ask your institution's administrator to give you a role."
                )
            ),
        )
    return access
