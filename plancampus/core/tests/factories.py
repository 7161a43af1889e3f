"""factory_boy factories for the directory."""

from __future__ import annotations

import factory

from plancampus.core.models import (
    Area,
    AreaKind,
    Country,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    User,
)


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso_code",)

    iso_code = "KHM"
    name_en = "Cambodia"
    name_km = "កម្ពុជា"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        skip_postgeneration_save = True

    country = factory.SubFactory(CountryFactory)
    kind = AreaKind.PROVINCE
    code = factory.Sequence(lambda n: f"{n + 30:02d}")
    name_en = factory.Sequence(lambda n: f"Province {n}")
    name_km = "ខេត្ត"

    @factory.post_generation
    def search_fields(obj, create, extracted, **kwargs):
        obj.refresh_search_fields()
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    country = factory.SubFactory(CountryFactory)
    kind = OrganisationKind.PROVINCIAL_OFFICE
    code = factory.Sequence(lambda n: f"ORG-{n}")
    name_en = factory.Sequence(lambda n: f"Office {n}")

    @factory.post_generation
    def search_fields(obj, create, extracted, **kwargs):
        obj.refresh_search_fields()
        if create:
            obj.save()


class InstitutionFactory(OrganisationFactory):
    kind = OrganisationKind.TRAINING_INSTITUTION
    name_en = factory.Sequence(lambda n: f"Institute {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name_latin = factory.Sequence(lambda n: f"Sok Person{n}")
    name_km = "សុខ សុភា"
    sex = "F"
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.org")

    @factory.post_generation
    def search_fields(obj, create, extracted, **kwargs):
        obj.refresh_search_fields()
        if create:
            obj.save()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Role.COORDINATOR
