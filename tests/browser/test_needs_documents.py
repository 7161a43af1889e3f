"""A coordinator asks for the capacity plan in Khmer: the button starts a background job, the
document's page follows it (htmx polling, no inline script under the CSP) and the file
downloads by itself when the job ends; the plan page then lists the copy made."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def demo_plan(site, settings):
    """The needs demo's plan; jobs wait in the queue (no worker) until the test runs them.
    Its documents are deleted afterwards."""
    from plancampus.needs.models import CapacityPlan, DocumentExport
    from plancampus.needs.services.demo import demo_load

    demo_load()
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    plan = CapacityPlan.objects.select_related("campaign").get(is_synthetic=True)
    yield plan
    for export in DocumentExport.objects.filter(plan=plan):
        if export.file:
            export.file.delete(save=False)
        export.delete()


def test_plan_in_khmer_downloads_when_its_job_ends(new_context, site, demo_plan):
    import docx

    from plancampus.core.models import BackgroundJob
    from plancampus.needs.models import DocumentExport
    from plancampus.needs.services.exports import export_render_run

    context = new_context(accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []  # the CSP's refusals and script errors (not the favicon's 404)
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, "coordinator")
    page.goto(f"/needs/plans/{demo_plan.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Word (Khmer)").click()

    export = DocumentExport.objects.get(plan=demo_plan, language="km", file_format="docx")
    assert urlsplit(page.url).path == f"/needs/documents/{export.pk}/"
    status = page.locator("#export-status")
    expect(status).to_contain_text("Waiting for a worker to pick it up.")
    expect(status).to_have_attribute("hx-trigger", "every 1s")

    # The worker makes it; the page, polling, offers the file and downloads it by itself.
    with page.expect_download(timeout=30_000) as download_info:
        export_render_run(job_id=export.job_id)
    download = download_info.value
    assert download.suggested_filename == f"capacity-plan-{demo_plan.pk}-km.docx"
    word = docx.Document(io.BytesIO(download_path_bytes(download)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert demo_plan.name_km in text
    assert len(word.inline_shapes) == 2  # the needs ranking and the indicators' progress
    expect(status).to_contain_text("Generated on")
    expect(page.locator("#export-download")).to_be_visible()
    assert BackgroundJob.objects.get(pk=export.job_id).status == "succeeded"

    # The plan page lists the copy (loaded by htmx) with when it was generated.
    page.goto(f"/needs/plans/{demo_plan.pk}/")
    made = page.locator("#documents-made")
    expect(made).to_contain_text(re.compile(r"generated on"))
    expect(made.locator(f"a[href='/needs/documents/{export.pk}/download/']")).to_be_visible()
    assert not errors, errors


def download_path_bytes(download) -> bytes:
    with open(download.path(), "rb") as handle:
        return handle.read()
