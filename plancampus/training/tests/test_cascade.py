"""The training-of-trainers cascade on hand-built trees: depth, people per level, cycles."""

from __future__ import annotations

import datetime as dt

import pytest

from plancampus.core.tests.factories import InstitutionFactory, OrganisationFactory
from plancampus.training.models import ProgrammeKind, ResultStatus, TrainerProfile
from plancampus.training.services.cascade import cascade_graph

from . import builders_trainers as b

D = dt.date
TOT = ProgrammeKind.TRAINING_OF_TRAINERS


@pytest.fixture
def story(institution, office):
    """R trains A, B and X in a ToT (2015). A (with B) trains P1-P5 (2016), then C and P1 in a
    second ToT (2018). B trains P6, P7 and N1, who does not complete (2017). C trains D1-D3
    (2019). X never teaches."""
    nie = institution
    R, A, B, C, X = b.people(nie, 5)
    P = b.people(office, 7)
    N1 = b.people(office, 1)[0]
    D1 = b.people(office, 3)
    tot = b.course(nie, kind=TOT)
    basic = b.course(nie)
    t1 = b.cohort(tot, start=D(2015, 1, 10), lead=R)
    b.enrol(t1, [A, B, X])
    a1 = b.cohort(basic, start=D(2016, 3, 1), lead=A, co=[B])
    b.enrol(a1, P[:5])
    t2 = b.cohort(tot, start=D(2018, 2, 1), lead=A)
    b.enrol(t2, [C, P[0]])
    b1 = b.cohort(basic, start=D(2017, 5, 1), lead=B)
    b.enrol(b1, P[5:7])
    b.enrol(b1, [N1], result=ResultStatus.NOT_COMPLETED)
    c1 = b.cohort(basic, start=D(2019, 6, 1), lead=C)
    b.enrol(c1, D1)
    return {"R": R, "A": A, "B": B, "C": C, "X": X, "P": P, "N1": N1, "D": D1}


def _levels(cascade):
    return [(lv.level, lv.trainers, lv.people) for lv in cascade.levels]


def test_subtree_of_the_root_counts_people_per_level(story, institution):
    graph = cascade_graph(institution_ids=[institution.pk])
    tree = graph.subtree(story["R"].pk)
    assert _levels(tree) == [(0, 1, 0), (1, 2, 3), (2, 1, 8), (3, 0, 3)]
    assert tree.depth == 3
    assert tree.people_reached == 14
    root = tree.roots[0]
    assert root.person.pk == story["R"].pk
    assert [c.person.pk for c in root.children] == sorted(
        [story["A"].pk, story["B"].pk], key=lambda pk: graph.people[pk].name_latin
    )
    a_node = next(c for c in root.children if c.person.pk == story["A"].pk)
    assert a_node.via_training_of_trainers
    assert [c.person.pk for c in a_node.children] == [story["C"].pk]
    assert a_node.children[0].level == 2
    # Who did not complete is not reached; who never teaches is not a trainer.
    assert story["N1"].pk not in graph.reached(story["B"].pk)
    assert story["X"].pk not in graph.taught


def test_subtree_of_a_middle_trainer(story, institution):
    graph = cascade_graph(institution_ids=[institution.pk])
    tree = graph.subtree(story["A"].pk)
    # A reached P1-P5 and C (level 1, P1 once); C reached D1-D3 (level 2).
    assert _levels(tree) == [(0, 1, 0), (1, 1, 6), (2, 0, 3)]
    assert [p.pk for p in graph.trained_by(story["A"].pk)] == [story["R"].pk]
    assert graph.subtree(story["X"].pk).roots == []


def test_forest_of_the_institution(story, institution):
    forest = cascade_graph(institution_ids=[institution.pk]).forest()
    assert [r.person.pk for r in forest.roots] == [story["R"].pk]
    assert forest.depth == 3
    assert forest.trainer_count == 4  # R, A, B, C
    assert sum(1 for _ in forest.roots[0].walk()) == 4


def test_a_second_trainer_is_named_beside_the_first(institution, office):
    lead, co, trainee = b.people(institution, 3)
    tot = b.course(institution, kind=TOT)
    t1 = b.cohort(tot, start=D(2020, 1, 1), lead=lead, co=[co])
    b.enrol(t1, [trainee])
    later = b.cohort(b.course(institution), start=D(2021, 1, 1), lead=trainee)
    b.enrol(later, b.people(office, 2))
    graph = cascade_graph(institution_ids=[institution.pk])
    forest = graph.forest()
    # Both trainers are roots; the trainee appears once, under the first, naming the second.
    assert {r.person.pk for r in forest.roots} == {lead.pk, co.pk}
    nodes = [n for r in forest.roots for n in r.walk() if n.person.pk == trainee.pk]
    assert len(nodes) == 1
    assert len(nodes[0].also_trained_by) == 1
    assert _levels(forest) == [(0, 2, 0), (1, 1, 1), (2, 0, 2)]


def test_cycles_end(institution, office):
    """A trained B (2015); B trained A (2016); A taught again (2017)."""
    a, b_ = b.people(institution, 2)
    basic = b.course(institution)
    first = b.cohort(basic, start=D(2015, 1, 1), lead=a)
    b.enrol(first, [b_])
    second = b.cohort(basic, start=D(2016, 1, 1), lead=b_)
    b.enrol(second, [a])
    third = b.cohort(basic, start=D(2017, 1, 1), lead=a)
    b.enrol(third, b.people(office, 4))
    graph = cascade_graph(institution_ids=[institution.pk])
    assert graph.edges == {a.pk: {b_.pk}, b_.pk: {a.pk}}
    forest = graph.forest()
    # Nobody is untrained: the one who taught first becomes the root.
    assert [r.person.pk for r in forest.roots] == [a.pk]
    assert _levels(forest) == [(0, 1, 0), (1, 1, 5)]
    child = forest.roots[0].children[0]
    assert child.person.pk == b_.pk
    assert [p.pk for p in forest.roots[0].also_trained_by] == [b_.pk]
    tree = graph.subtree(b_.pk)
    assert tree.depth == 2
    assert _levels(tree) == [(0, 1, 0), (1, 1, 1), (2, 0, 4)]


def test_teaching_before_the_training_is_no_edge(institution, office):
    """Someone who taught before completing a cohort was not trained as a trainer by it."""
    trainer, early = b.people(institution, 2)
    basic = b.course(institution)
    b.enrol(b.cohort(basic, start=D(2015, 1, 1), lead=early), b.people(office, 1))
    b.enrol(b.cohort(basic, start=D(2016, 1, 1), lead=trainer), [early])
    graph = cascade_graph(institution_ids=[institution.pk])
    assert graph.edges == {}
    assert len(graph.forest().roots) == 2


def test_other_institutions_and_cancelled_cohorts_are_left_out(story, institution, office):
    other = InstitutionFactory(country=institution.country)
    outsider_trainer = b.people(other, 1)[0]
    b.enrol(
        b.cohort(b.course(other), start=D(2020, 1, 1), lead=outsider_trainer),
        b.people(OrganisationFactory(), 2),
    )
    cancelled = b.cohort(
        b.course(institution), start=D(2020, 1, 1), lead=story["X"], status="cancelled"
    )
    b.enrol(cancelled, b.people(office, 2))
    graph = cascade_graph(institution_ids=[institution.pk])
    assert outsider_trainer.pk not in graph.taught
    assert story["X"].pk not in graph.taught
    assert outsider_trainer.pk in cascade_graph().taught


def test_profiles_are_linked(story, institution):
    profile = TrainerProfile.objects.create(person=story["A"], institution=institution)
    graph = cascade_graph(institution_ids=[institution.pk])
    assert graph.people[story["A"].pk].profile_id == profile.pk
    assert graph.people[story["R"].pk].profile_id is None


@pytest.mark.parametrize("size", [5, 50])
def test_loading_takes_the_same_queries_whatever_the_size(
    size, institution, office, django_assert_num_queries
):
    trainers = b.people(institution, 3)
    tot = b.course(institution, kind=TOT)
    t1 = b.cohort(tot, start=D(2015, 1, 1), lead=trainers[0], co=[trainers[1]])
    b.enrol(t1, [trainers[2]])
    for year in (2016, 2017):
        b.enrol(
            b.cohort(b.course(institution), start=D(year, 1, 1), lead=trainers[2]),
            b.people(office, size),
        )
    with django_assert_num_queries(5):
        graph = cascade_graph(institution_ids=[institution.pk])
    assert graph.forest().people_reached == 2 * size + 1
