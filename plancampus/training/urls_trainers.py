"""Trainer and cascade pages, included in the training namespace by ``training.urls``."""

from django.urls import path

from .views import trainers

urlpatterns = [
    path("trainers/", trainers.trainer_list, name="trainer-list"),
    path("trainers/new/", trainers.trainer_create, name="trainer-create"),
    path("trainers/<int:pk>/", trainers.trainer_detail, name="trainer-detail"),
    path("trainers/<int:pk>/edit/", trainers.trainer_edit, name="trainer-edit"),
    path(
        "trainers/<int:pk>/participations/",
        trainers.participation_add,
        name="participation-add",
    ),
    path(
        "trainers/<int:pk>/participations/<int:participation_pk>/delete/",
        trainers.participation_delete,
        name="participation-delete",
    ),
    path("cascade/", trainers.cascade, name="cascade"),
    path("cascade/<int:person_pk>/", trainers.cascade_person, name="cascade-person"),
]
