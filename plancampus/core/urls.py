from django.urls import path

from .views import accounts, audit, directory, home, imports, jobs, tokens

urlpatterns = [
    path("", home.home, name="home"),
    # Browsers ask for /favicon.ico on every site; the icon itself is a static file.
    path("favicon.ico", home.favicon),
    path("organisations/", directory.organisation_list, name="organisation-list"),
    path("organisations/<str:code>/", directory.organisation_detail, name="organisation-detail"),
    path("people/", directory.person_list, name="person-list"),
    path("people/<int:pk>/", directory.person_detail, name="person-detail"),
    path("people/import/", imports.person_import, name="person-import"),
    path(
        "people/import/template.<str:extension>",
        imports.person_import_template,
        name="person-import-template",
    ),
    path("jobs/<int:pk>/", jobs.job_detail, name="job-detail"),
    path("jobs/<int:pk>/status/", jobs.job_status, name="job-status"),
    path("jobs/<int:pk>/report.csv", jobs.job_report, name="job-report"),
    path("audit/", audit.audit_list, name="audit"),
    path("areas/", directory.area_list, name="area-list"),
    path("areas/<str:code>/", directory.area_detail, name="area-detail"),
    path("account/", accounts.profile, name="profile"),
    path("account/tokens/", tokens.api_tokens, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", tokens.api_token_revoke, name="api-token-revoke"),
    path("language/", accounts.switch_language, name="switch-language"),
]
