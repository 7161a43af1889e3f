from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from plancampus.api.errors import unknown_path
from plancampus.api.main import api
from plancampus.core.views.accounts import LoginView

urlpatterns = [
    path("", include("plancampus.core.urls")),
    path("training/", include("plancampus.training.urls")),
    path("needs/", include("plancampus.needs.urls")),
    path("reports/", include("plancampus.reports.urls")),
    path("", include("plancampus.training.urls_certificates")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", api.urls),
    re_path(r"^api/(?P<path>.*)$", unknown_path),  # after the API's own operations
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
