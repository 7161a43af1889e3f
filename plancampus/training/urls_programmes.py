from django.urls import path

from .views import programmes

# The students of degree programmes (Master's, Doctorate), on the training namespace.
urlpatterns = [
    path("programmes/<int:pk>/students/new/", programmes.student_edit, name="student-create"),
    path(
        "programmes/<int:pk>/students/<int:student_pk>/",
        programmes.student_detail,
        name="student-detail",
    ),
    path(
        "programmes/<int:pk>/students/<int:student_pk>/edit/",
        programmes.student_edit,
        name="student-edit",
    ),
    path(
        "programmes/<int:pk>/intakes/<int:intake>/enrol/",
        programmes.intake_enrol_page,
        name="intake-enrol",
    ),
]
