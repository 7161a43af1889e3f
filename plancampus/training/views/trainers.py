"""Trainers (profiles, qualifications, external programmes) and the training-of-trainers
cascade. Thin: the cascade comes from ``services.cascade``, access from ``access_trainers``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plancampus.core.access import access_for, get_or_404, people_for_user

from ..access import can_manage, institution_to_manage
from ..access_trainers import (
    can_edit_profile,
    cascade_scope,
    require_edit_profile,
    require_trainer_pages,
    trainer_profiles_for_user,
)
from ..forms_trainers import ParticipationForm, TrainerProfileForm
from ..models import (
    Cohort,
    CohortStatus,
    ExternalParticipation,
    ExternalProgramme,
    TrainerProfile,
)
from ..services.cascade import cascade_graph
from .common import paginate


def _cohort_counts(queryset):  # type: ignore[no-untyped-def]
    """Annotate ``cohort_count``: cohorts of the profile's institution the person taught."""
    led = (
        Cohort.objects.filter(
            lead_trainer_id=OuterRef("person_id"), institution_id=OuterRef("institution_id")
        )
        .exclude(status=CohortStatus.CANCELLED)
        .order_by()
        .values("lead_trainer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    co = (
        Cohort.co_trainers.through.objects.filter(
            person_id=OuterRef("person_id"), cohort__institution_id=OuterRef("institution_id")
        )
        .exclude(cohort__status=CohortStatus.CANCELLED)
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        cohort_count=Coalesce(Subquery(led, output_field=IntegerField()), Value(0))
        + Coalesce(Subquery(co, output_field=IntegerField()), Value(0))
    )


@login_required
def trainer_list(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    require_trainer_pages(access)
    profiles = trainer_profiles_for_user(access).select_related(
        "person", "person__organisation", "institution"
    )
    institution = request.GET.get("institution", "")
    if institution.isdigit():
        profiles = profiles.filter(institution_id=int(institution))
    query = request.GET.get("q", "").strip()
    if query:
        profiles = profiles.filter(person__in=people_for_user(access).search(query))
    course = request.GET.get("course", "")
    if course:
        profiles = profiles.filter(courses__code=course).distinct()
    programme = request.GET.get("programme", "")
    if programme.isdigit():
        profiles = profiles.filter(
            person__external_participations__programme_id=int(programme)
        ).distinct()
    active = request.GET.get("active", "yes")
    if active == "yes":
        profiles = profiles.filter(is_active=True)
    profiles = _cohort_counts(profiles).prefetch_related(
        Prefetch("courses", to_attr="course_list"),
        Prefetch(
            "person__external_participations",
            queryset=ExternalParticipation.objects.select_related("programme").order_by("year"),
            to_attr="participation_list",
        ),
    )
    courses = (
        TrainerProfile.courses.through.objects.filter(
            trainerprofile__in=trainer_profiles_for_user(access)
        )
        .values_list("course__code", "course__title_en")
        .distinct()
        .order_by("course__code")
    )
    return render(
        request,
        "training/trainer_list.html",
        {
            "page": paginate(request, profiles.order_by("person__name_latin", "pk")),
            "selected": {
                "q": query,
                "course": course,
                "programme": programme,
                "active": active,
                "institution": institution,
            },
            "courses": list(courses),
            "programmes": ExternalProgramme.objects.order_by("kind", "code"),
            "can_create": any(can_manage(access, m.institution_id) for m in access.memberships)
            or bool(getattr(request.user, "is_superuser", False)),
        },
    )


@login_required
def trainer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    require_trainer_pages(access)
    profile = get_or_404(
        trainer_profiles_for_user(access).select_related(
            "person", "person__organisation", "institution"
        ),
        pk=pk,
    )
    person = profile.person
    cohorts = (
        Cohort.objects.filter(institution_id=profile.institution_id)
        .filter(Q(lead_trainer=person) | Q(co_trainers=person))
        .distinct()
        .select_related("course", "lead_trainer")
        .order_by("-start_date", "code")
    )
    graph = cascade_graph(institution_ids=[profile.institution_id])
    return render(
        request,
        "training/trainer_detail.html",
        {
            "profile": profile,
            "person": person,
            "courses": profile.courses.order_by("code"),
            "participations": person.external_participations.select_related(
                "programme", "programme__provider"
            ).order_by("-year"),
            "cohorts": cohorts[:100],
            "cohort_count": cohorts.count(),
            "cascade": graph.subtree(person.pk),
            "trained_by": graph.trained_by(person.pk),
            "can_edit": can_edit_profile(access, profile),
            "can_manage": can_manage(access, profile.institution_id),
            "participation_form": ParticipationForm(),
        },
    )


@login_required
def trainer_create(request: HttpRequest) -> HttpResponse:
    """Pick a person, then describe them as a trainer of the coordinator's institution."""
    access = access_for(request)
    institution = institution_to_manage(access)
    person_id = request.POST.get("person") or request.GET.get("person") or ""
    person = (
        people_for_user(access).filter(pk=int(person_id)).first() if person_id.isdigit() else None
    )
    if person is None:
        query = request.GET.get("q", "").strip()
        found = (
            people_for_user(access).search(query).select_related("organisation")[:20]
            if query
            else []
        )
        return render(
            request,
            "training/trainer_pick.html",
            {"query": query, "found": found, "institution": institution},
        )
    existing = TrainerProfile.objects.filter(person=person, institution=institution).first()
    if existing is not None:
        messages.info(request, _("This person already has a trainer profile."))
        return redirect("training:trainer-edit", existing.pk)
    form = TrainerProfileForm(
        request.POST if request.method == "POST" else None,
        manage=True,
        institution_id=institution.pk,
    )
    form.instance.person = person
    form.instance.institution = institution
    if request.method == "POST" and form.is_valid():
        profile = form.save()
        messages.success(request, _("The trainer profile was saved."))
        return redirect("training:trainer-detail", profile.pk)
    return render(
        request,
        "training/trainer_form.html",
        {"form": form, "person": person, "institution": institution, "profile": None},
    )


@login_required
def trainer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    require_trainer_pages(access)
    profile = get_or_404(
        trainer_profiles_for_user(access).select_related("person", "institution"), pk=pk
    )
    require_edit_profile(access, profile)
    form = TrainerProfileForm(
        request.POST if request.method == "POST" else None,
        instance=profile,
        manage=can_manage(access, profile.institution_id),
        institution_id=profile.institution_id,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The trainer profile was saved."))
        return redirect("training:trainer-detail", profile.pk)
    return render(
        request,
        "training/trainer_form.html",
        {
            "form": form,
            "person": profile.person,
            "institution": profile.institution,
            "profile": profile,
        },
    )


@login_required
@require_POST
def participation_add(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request)
    require_trainer_pages(access)
    profile = get_or_404(trainer_profiles_for_user(access).select_related("person"), pk=pk)
    require_edit_profile(access, profile)
    form = ParticipationForm(request.POST)
    form.instance.person = profile.person
    if form.is_valid():
        form.save()
        messages.success(request, _("The participation was added."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("training:trainer-detail", profile.pk)


@login_required
@require_POST
def participation_delete(request: HttpRequest, pk: int, participation_pk: int) -> HttpResponse:
    access = access_for(request)
    require_trainer_pages(access)
    profile = get_or_404(trainer_profiles_for_user(access), pk=pk)
    require_edit_profile(access, profile)
    participation = get_or_404(
        ExternalParticipation.objects.filter(person_id=profile.person_id), pk=participation_pk
    )
    participation.delete()
    messages.success(request, _("The participation was removed."))
    return redirect("training:trainer-detail", profile.pk)


@login_required
def cascade(request: HttpRequest) -> HttpResponse:
    """Who trained whom: the forest of the institution's trainers, with people per level."""
    scope = cascade_scope(access_for(request), request.GET.get("institution") or None)
    graph = cascade_graph(institution_ids=scope.institution_ids)
    return render(
        request,
        "training/cascade.html",
        {"scope": scope, "cascade": graph.forest(), "graph": graph},
    )


@login_required
def cascade_person(request: HttpRequest, person_pk: int) -> HttpResponse:
    """The cascade below one trainer."""
    access = access_for(request)
    scope = cascade_scope(access, request.GET.get("institution") or None)
    person = get_or_404(people_for_user(access).select_related("organisation"), pk=person_pk)
    graph = cascade_graph(institution_ids=scope.institution_ids)
    if person.pk not in graph.taught:
        raise Http404
    info = graph.people[person.pk]
    return render(
        request,
        "training/cascade_person.html",
        {
            "scope": scope,
            "person": person,
            "info": info,
            "cascade": graph.subtree(person.pk),
            "trained_by": graph.trained_by(person.pk),
        },
    )
