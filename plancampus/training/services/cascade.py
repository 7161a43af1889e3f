"""The training-of-trainers cascade, derived from cohorts (nothing is stored).

Who trained whom follows from three facts the training records already hold: the trainers
of a cohort (lead and co-trainers), the people who completed it, and the cohorts each person
later trained. A trainer *T* trained a trainer *P* when *P* completed a cohort that *T*
led or co-trained, and *P* then led or co-trained a cohort starting on or after the end of
that one. The cohort through which it happened is usually a training-of-trainers cohort;
the edge remembers whether it was.

Levels count from a trainer (level 0): level 1 is everyone who completed a cohort the
trainer taught; the trainers among them taught the people of level 2; and so on. A person
reached at several levels is counted at the first. The tree is built breadth first, so each
trainer appears once, under the first trainer who reached them; other trainers who also
trained them are listed beside their name. Cycles (A trained B, who later trained A) are
therefore harmless.

Loading takes four queries whatever the number of cohorts and people: cohorts, co-trainers,
completions, and the trainers' names.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from plancampus.core.models import Person

from ..models import Cohort, CohortStatus, Enrolment, ProgrammeKind, ResultStatus, TrainerProfile


@dataclass(frozen=True)
class CohortFacts:
    pk: int
    code: str
    institution_id: int
    start_date: dt.date
    end_date: dt.date
    is_training_of_trainers: bool


@dataclass(frozen=True)
class TrainerInfo:
    """What the cascade shows of a trainer."""

    pk: int
    name_latin: str
    name_km: str
    sex: str
    organisation_en: str
    organisation_km: str
    organisation_kind: str
    is_synthetic: bool
    profile_id: int | None

    @property
    def display_name(self) -> str:
        from django.utils import translation

        if translation.get_language() == "km" and self.name_km:
            return self.name_km
        return self.name_latin

    @property
    def organisation(self) -> str:
        from django.utils import translation

        if translation.get_language() == "km" and self.organisation_km:
            return self.organisation_km
        return self.organisation_en


@dataclass
class CascadeNode:
    """A trainer in a cascade tree, with the trainers they trained below."""

    person: TrainerInfo
    level: int
    cohort_count: int
    reached_count: int
    children: list[CascadeNode] = field(default_factory=list)
    also_trained_by: list[TrainerInfo] = field(default_factory=list)
    via_training_of_trainers: bool = False

    def walk(self) -> Iterable[CascadeNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class LevelCount:
    level: int
    trainers: int
    people: int


@dataclass
class Cascade:
    """A tree (one root) or a forest (several roots) with its counts per level."""

    roots: list[CascadeNode]
    levels: list[LevelCount]

    @property
    def depth(self) -> int:
        """The deepest level that reached anybody (0: the trainers reached nobody)."""
        return max((lv.level for lv in self.levels if lv.people), default=0)

    @property
    def people_reached(self) -> int:
        return sum(lv.people for lv in self.levels if lv.level > 0)

    @property
    def trainer_count(self) -> int:
        return sum(lv.trainers for lv in self.levels)


@dataclass
class CascadeGraph:
    """Cohorts, trainers and completions of a scope, and the "trained" edges between trainers."""

    cohorts: dict[int, CohortFacts]
    trainers_of: dict[int, set[int]]
    completers: dict[int, set[int]]
    taught: dict[int, list[int]]
    edges: dict[int, set[int]]
    tot_edges: set[tuple[int, int]]
    people: dict[int, TrainerInfo]

    # -- one trainer ------------------------------------------------------------------------

    def reached(self, person_id: int) -> set[int]:
        """Everyone who completed a cohort this person taught."""
        found: set[int] = set()
        for cohort_id in self.taught.get(person_id, ()):
            found |= self.completers.get(cohort_id, set())
        found.discard(person_id)
        return found

    def trained_by(self, person_id: int) -> list[TrainerInfo]:
        """The trainers who trained this trainer."""
        return sorted(
            (self.people[t] for t, targets in self.edges.items() if person_id in targets),
            key=lambda p: p.name_latin,
        )

    def subtree(self, person_id: int) -> Cascade:
        """The cascade below one person (empty if they never taught in this scope)."""
        if person_id not in self.taught:
            return Cascade(roots=[], levels=[])
        return self._build([person_id])

    # -- the whole scope -------------------------------------------------------------------

    def roots(self) -> list[int]:
        """Trainers nobody in the scope trained; then, for trainers only reachable through a
        cycle, the one who taught first."""
        has_parent = {p for targets in self.edges.values() for p in targets}
        roots = [t for t in self.taught if t not in has_parent]
        reachable = self._reachable(roots)
        rest = [t for t in self.taught if t not in reachable]
        while rest:
            first = min(rest, key=lambda t: (self._first_start(t), t))
            roots.append(first)
            reachable |= self._reachable([first])
            rest = [t for t in rest if t not in reachable]
        return sorted(roots, key=lambda t: (self._first_start(t), self.people[t].name_latin, t))

    def forest(self) -> Cascade:
        return self._build(self.roots())

    # -- internals -------------------------------------------------------------------------

    def _first_start(self, person_id: int) -> dt.date:
        return min(self.cohorts[c].start_date for c in self.taught[person_id])

    def _reachable(self, starts: list[int]) -> set[int]:
        seen = set(starts)
        queue = deque(starts)
        while queue:
            for child in self.edges.get(queue.popleft(), ()):
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
        return seen

    def _build(self, root_ids: list[int]) -> Cascade:
        nodes: dict[int, CascadeNode] = {}
        roots = []
        for pk in root_ids:
            nodes[pk] = self._node(pk, level=0)
            roots.append(nodes[pk])
        parent_of: dict[int, int] = {}
        counted: set[int] = set(root_ids)  # people already counted at a level
        levels = [LevelCount(0, len(root_ids), 0)]
        frontier = list(root_ids)
        level = 0
        while frontier:
            level += 1
            reached: set[int] = set()
            next_frontier: list[int] = []
            for trainer in frontier:
                reached |= self.reached(trainer)
                for child in sorted(
                    self.edges.get(trainer, ()), key=lambda p: self.people[p].name_latin
                ):
                    if child in nodes:
                        # Shown elsewhere (a second trainer, or a cycle): name the trainer.
                        node = nodes[child]
                        if parent_of.get(child) != trainer and (
                            self.people[trainer] not in node.also_trained_by
                        ):
                            node.also_trained_by.append(self.people[trainer])
                        continue
                    node = self._node(child, level=level)
                    node.via_training_of_trainers = (trainer, child) in self.tot_edges
                    nodes[child] = node
                    nodes[trainer].children.append(node)
                    parent_of[child] = trainer
                    next_frontier.append(child)
            new_people = reached - counted
            counted |= new_people
            if not new_people and not next_frontier:
                break
            levels.append(LevelCount(level, len(next_frontier), len(new_people)))
            frontier = next_frontier
        return Cascade(roots=roots, levels=levels)

    def _node(self, pk: int, *, level: int) -> CascadeNode:
        return CascadeNode(
            person=self.people[pk],
            level=level,
            cohort_count=len(self.taught.get(pk, ())),
            reached_count=len(self.reached(pk)),
        )


def cascade_graph(*, institution_ids: Iterable[int] | None = None) -> CascadeGraph:
    """Load the cascade of the cohorts of ``institution_ids`` (every institution: None).

    Cancelled cohorts are left out, and so are the courses of degree programmes (lecturers
    teaching a Master's are not a training cascade); a completion is a result closed as
    completed.
    """
    cohorts_qs = Cohort.objects.exclude(status=CohortStatus.CANCELLED).outside_degree_programmes()
    if institution_ids is not None:
        cohorts_qs = cohorts_qs.filter(institution_id__in=list(institution_ids))
    cohorts: dict[int, CohortFacts] = {}
    trainers_of: dict[int, set[int]] = defaultdict(set)
    for pk, code, inst, start, end, lead, kind in cohorts_qs.values_list(
        "pk",
        "code",
        "institution_id",
        "start_date",
        "end_date",
        "lead_trainer_id",
        "course__programme__kind",
    ):
        cohorts[pk] = CohortFacts(
            pk, code, inst, start, end, kind == ProgrammeKind.TRAINING_OF_TRAINERS
        )
        if lead is not None:
            trainers_of[pk].add(lead)
    co_trainers = Cohort.co_trainers.through.objects.filter(cohort__in=cohorts_qs)
    for cohort_id, person_id in co_trainers.values_list("cohort_id", "person_id"):
        trainers_of[cohort_id].add(person_id)

    completers: dict[int, set[int]] = defaultdict(set)
    completions = Enrolment.objects.filter(
        cohort__in=cohorts_qs, result_status=ResultStatus.COMPLETED
    ).values_list("cohort_id", "person_id")
    for cohort_id, person_id in completions:
        completers[cohort_id].add(person_id)

    taught: dict[int, list[int]] = defaultdict(list)
    for cohort_id, trainers in trainers_of.items():
        for trainer in trainers:
            taught[trainer].append(cohort_id)
    for cohort_ids in taught.values():
        cohort_ids.sort(key=lambda c: (cohorts[c].start_date, c))

    edges: dict[int, set[int]] = defaultdict(set)
    tot_edges: set[tuple[int, int]] = set()
    for cohort_id, people in completers.items():
        facts = cohorts[cohort_id]
        for person in people:
            # Did the person teach a cohort that started once this one was over?
            if not any(
                cohorts[c].start_date >= facts.end_date and c != cohort_id
                for c in taught.get(person, ())
            ):
                continue
            for trainer in trainers_of.get(cohort_id, ()):
                if trainer == person:
                    continue
                edges[trainer].add(person)
                if facts.is_training_of_trainers:
                    tot_edges.add((trainer, person))

    people = _trainer_infos(set(taught), institution_ids)
    return CascadeGraph(
        cohorts=cohorts,
        trainers_of=dict(trainers_of),
        completers=dict(completers),
        taught=dict(taught),
        edges=dict(edges),
        tot_edges=tot_edges,
        people=people,
    )


def _trainer_infos(
    person_ids: set[int], institution_ids: Iterable[int] | None
) -> dict[int, TrainerInfo]:
    if not person_ids:
        return {}
    profiles = TrainerProfile.objects.filter(person_id__in=person_ids)
    if institution_ids is not None:
        profiles = profiles.filter(institution_id__in=list(institution_ids))
    profile_of: dict[int, int] = {}
    for person_id, profile_id in profiles.order_by("-is_active", "pk").values_list(
        "person_id", "pk"
    ):
        profile_of.setdefault(person_id, profile_id)
    infos = {}
    for pk, latin, km, sex, org_en, org_km, kind, synthetic in Person.objects.filter(
        pk__in=person_ids
    ).values_list(
        "pk",
        "name_latin",
        "name_km",
        "sex",
        "organisation__name_en",
        "organisation__name_km",
        "organisation__kind",
        "is_synthetic",
    ):
        infos[pk] = TrainerInfo(
            pk=pk,
            name_latin=latin,
            name_km=km,
            sex=sex,
            organisation_en=org_en or "",
            organisation_km=org_km or "",
            organisation_kind=kind or "",
            is_synthetic=synthetic,
            profile_id=profile_of.get(pk),
        )
    return infos
