from .accounts import ApiToken, Membership, Role, User
from .geo import Area, AreaKind, Country, SchoolLevel
from .jobs import BackgroundJob
from .orgs import Organisation, OrganisationKind
from .people import Person, Position, Sex

__all__ = [
    "ApiToken",
    "Area",
    "AreaKind",
    "BackgroundJob",
    "Country",
    "Membership",
    "Organisation",
    "OrganisationKind",
    "Person",
    "Position",
    "Role",
    "SchoolLevel",
    "Sex",
    "User",
]
