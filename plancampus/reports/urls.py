from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "reports"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reports:coverage-dashboard"), name="home"),
    path("coverage/", views.coverage_dashboard, name="coverage-dashboard"),
    path("coverage/people/", views.coverage_people, name="people"),
    path("coverage/offices/", views.coverage_offices, name="offices"),
    path("coverage/trainers/", views.coverage_trainers, name="trainers"),
    path("coverage/alumni/", views.coverage_alumni, name="alumni"),
    path("coverage.<str:fmt>", views.coverage_export, name="export"),
]
