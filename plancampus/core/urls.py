from django.urls import path

from .views import accounts, directory, home, tokens

urlpatterns = [
    path("", home.home, name="home"),
    path("organisations/", directory.organisation_list, name="organisation-list"),
    path("organisations/<str:code>/", directory.organisation_detail, name="organisation-detail"),
    path("people/", directory.person_list, name="person-list"),
    path("people/<int:pk>/", directory.person_detail, name="person-detail"),
    path("areas/", directory.area_list, name="area-list"),
    path("areas/<str:code>/", directory.area_detail, name="area-detail"),
    path("account/", accounts.profile, name="profile"),
    path("account/tokens/", tokens.api_tokens, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", tokens.api_token_revoke, name="api-token-revoke"),
    path("language/", accounts.switch_language, name="switch-language"),
]
