from django.http import HttpRequest

from .access import access_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the menu needs: the user's access (roles, institutions), computed once."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"access": access_for(request)}
