"""/api/docs works under the site's strict CSP: every asset is local, no inline script."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_docs_page_loads_only_local_assets_and_no_inline_script(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the page loads no assets?"
    for url in urls:
        assert url.startswith("/static/"), f"not a local asset: {url}"
        assert finders.find(url.removeprefix("/static/")), f"missing static file: {url}"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    for attributes, body in scripts:
        # JSON data blocks are not executed; everything else must come from a file.
        assert "src=" in attributes or 'type="application/json"' in attributes, body[:80]
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_openapi_schema_is_public_and_describes_the_token(client):
    document = client.get("/api/openapi.json").json()
    assert document["info"]["title"] == "PlanCampus API"
    assert "/account/tokens/" in document["info"]["description"]
