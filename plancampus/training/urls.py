from django.urls import path

from .views import attendance, cohorts, courses, enrolment, mine, results

app_name = "training"

urlpatterns = [
    path("", courses.training_home, name="home"),
    path("programmes/new/", courses.programme_edit, name="programme-create"),
    path("programmes/<int:pk>/", courses.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", courses.programme_edit, name="programme-edit"),
    path("courses/", courses.course_list, name="course-list"),
    path("courses/new/", courses.course_edit, name="course-create"),
    path("courses/<int:pk>/", courses.course_detail, name="course-detail"),
    path("courses/<int:pk>/edit/", courses.course_edit, name="course-edit"),
    path("courses/<int:pk>/new-version/", courses.course_version, name="course-version"),
    path("courses/<int:pk>/outcomes/new/", courses.outcome_edit, name="outcome-create"),
    path("courses/<int:pk>/outcomes/<int:outcome_pk>/", courses.outcome_edit, name="outcome-edit"),
    path(
        "courses/<int:pk>/outcomes/<int:outcome_pk>/delete/",
        courses.outcome_delete,
        name="outcome-delete",
    ),
    path("courses/<int:pk>/modules/", courses.modules_edit, name="modules-edit"),
    path("courses/<int:pk>/assessment/", courses.assessment_edit, name="assessment-edit"),
    path("courses/<int:pk>/workshops/new/", courses.workshop_edit, name="workshop-create"),
    path(
        "courses/<int:pk>/workshops/<int:workshop_pk>/", courses.workshop_edit, name="workshop-edit"
    ),
    path("cohorts/", cohorts.cohort_list, name="cohort-list"),
    path("cohorts/new/", cohorts.cohort_edit, name="cohort-create"),
    path("cohorts/<int:pk>/", cohorts.cohort_detail, name="cohort-detail"),
    path("cohorts/<int:pk>/edit/", cohorts.cohort_edit, name="cohort-edit"),
    path("cohorts/<int:pk>/status/", cohorts.cohort_status, name="cohort-status"),
    path("cohorts/<int:pk>/calendar.ics", cohorts.cohort_calendar, name="cohort-calendar"),
    path("cohorts/<int:pk>/sessions/new/", cohorts.session_edit, name="session-create"),
    path("cohorts/<int:pk>/sessions/plan/", cohorts.session_plan, name="session-plan"),
    path(
        "cohorts/<int:pk>/sessions/<int:session_pk>/edit/",
        cohorts.session_edit,
        name="session-edit",
    ),
    path(
        "cohorts/<int:pk>/sessions/<int:session_pk>/attendance/",
        attendance.attendance_grid,
        name="attendance",
    ),
    path(
        "cohorts/<int:pk>/sessions/<int:session_pk>/attendance/<int:enrolment_pk>/",
        attendance.attendance_tap,
        name="attendance-tap",
    ),
    path("cohorts/<int:pk>/nominate/", enrolment.nominate, name="nominate"),
    path("cohorts/<int:pk>/accept-all/", enrolment.accept_all, name="accept-all"),
    path(
        "cohorts/<int:pk>/enrolments/<int:enrolment_pk>/<str:action>/",
        enrolment.enrolment_decide,
        name="enrolment-decide",
    ),
    path("cohorts/<int:pk>/enrol/import/", enrolment.enrolment_import, name="enrolment-import"),
    path(
        "cohorts/<int:pk>/enrol/template.csv",
        enrolment.enrolment_template,
        name="enrolment-template",
    ),
    path("cohorts/<int:pk>/results/", results.results_entry, name="results"),
    path("cohorts/<int:pk>/results/import/", results.results_import, name="results-import"),
    path(
        "cohorts/<int:pk>/results/template.csv", results.results_template, name="results-template"
    ),
    path("cohorts/<int:pk>/close/", cohorts.cohort_close_page, name="cohort-close"),
    path("cohorts/<int:pk>/reopen/", cohorts.cohort_reopen_page, name="cohort-reopen"),
    path("me/", mine.my_training, name="mine"),
    path("calendar/<str:token>.ics", mine.person_calendar, name="person-calendar"),
    path("me/calendar/reset/", mine.calendar_reset, name="calendar-reset"),
]

# Trainers and the training-of-trainers cascade.
from .urls_trainers import urlpatterns as trainer_urlpatterns  # noqa: E402

urlpatterns += trainer_urlpatterns

# Nominations by the education offices' focal points.
from .urls_offices import urlpatterns as office_urlpatterns  # noqa: E402

urlpatterns += office_urlpatterns

# The students of degree programmes.
from .urls_programmes import urlpatterns as programme_urlpatterns  # noqa: E402

urlpatterns += programme_urlpatterns
