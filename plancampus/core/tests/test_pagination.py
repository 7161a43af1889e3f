"""KeysFirstPaginator gives the pages Django's Paginator gives, in two short queries."""

import pytest
from django.core.paginator import EmptyPage, Paginator

from plancampus.core.models import Person
from plancampus.core.pagination import KeysFirstPaginator
from plancampus.core.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(office):
    # Names in an order that differs from the keys', with ties broken by id.
    for n in [5, 3, 9, 1, 7, 3, 8, 2, 6, 4, 0]:
        PersonFactory(name_latin=f"Sok {n}", organisation=office)
    return Person.objects.select_related("organisation").order_by("name_latin", "id")


@pytest.mark.parametrize(("per_page", "orphans"), [(3, 0), (4, 2), (50, 0)])
def test_same_pages_as_django(people, per_page, orphans):
    ours = KeysFirstPaginator(people, per_page, orphans=orphans)
    django = Paginator(people, per_page, orphans=orphans)
    assert ours.num_pages == django.num_pages
    for number in ours.page_range:
        assert list(ours.page(number)) == list(django.page(number))
    with pytest.raises(EmptyPage):
        ours.page(ours.num_pages + 1)


def test_a_page_is_two_queries_with_related_rows(people, django_assert_num_queries):
    paginator = KeysFirstPaginator(people, 4)
    assert paginator.count == 11
    with django_assert_num_queries(2):
        page = paginator.page(2)
        names = [p.organisation.code for p in page]  # select_related kept
    assert len(names) == 4


def test_empty_list(db):
    page = KeysFirstPaginator(Person.objects.order_by("name_latin", "id"), 10).get_page(1)
    assert list(page) == []
