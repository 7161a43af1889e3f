from django.urls import path

from .views import accounts, directory, home

urlpatterns = [
    path("", home.home, name="home"),
    path("organisations/", directory.organisation_list, name="organisation-list"),
    path("organisations/<str:code>/", directory.organisation_detail, name="organisation-detail"),
    path("people/", directory.person_list, name="person-list"),
    path("people/<int:pk>/", directory.person_detail, name="person-detail"),
    path("areas/", directory.area_list, name="area-list"),
    path("areas/<str:code>/", directory.area_detail, name="area-detail"),
    path("account/", accounts.profile, name="profile"),
    path("language/", accounts.switch_language, name="switch-language"),
]
