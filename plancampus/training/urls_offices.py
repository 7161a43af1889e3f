"""The pages of the education offices' focal points, in the training namespace."""

from django.urls import path

from .views import offices

urlpatterns = [
    path("nominations/", offices.office_home, name="office-nominations"),
    path("nominations/<int:pk>/", offices.office_cohort, name="office-cohort"),
    path(
        "nominations/<int:pk>/withdraw/<int:enrolment_pk>/",
        offices.office_withdraw_view,
        name="office-withdraw",
    ),
]
