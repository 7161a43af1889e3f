"""Progress of background work, so that a page can show it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BackgroundJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="jobs"
    )
    institution = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, null=True, related_name="jobs"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    def remember_task(self, task_result: Any) -> None:
        """Keep the id of the queued task (``Task.enqueue``'s result), unless one is kept."""
        type(self).objects.filter(pk=self.pk, task_result_id="").update(
            task_result_id=str(task_result.id)[:64]
        )

    def finish(self, status: str, message: str, extra: dict[str, Any] | None = None) -> None:
        """End the job with ``status`` and ``message``, adding ``extra`` to its result."""
        self.refresh_from_db()
        self.status = status
        self.message = message
        self.result = {**self.result, **(extra or {})}
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "message", "result", "finished_at"])

    def set_progress(self, done: int, total: int | None = None) -> None:
        self.progress_done = done
        if total is not None:
            self.progress_total = total
        type(self).objects.filter(pk=self.pk).update(
            progress_done=self.progress_done,
            progress_total=self.progress_total,
            status=self.Status.RUNNING,
        )
