"""A person's background job: what they asked for, how far it has got, and what came of it.

The worker's own record of the task is django-tasks-db's ``DBTaskResult`` (``task_result_id`` points at it); this
row is what the person sees. Files the work reads (an uploaded spreadsheet) and files it produces (an import's full
report) are kept through Django's storage API, never in the queue or in this row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.background import INCOME_IMPORT, PACK_ISSUE, YEAR_END


class Job(models.Model):
    class Kind(models.TextChoices):
        INCOME_IMPORT = INCOME_IMPORT, "Income import"
        PACK_ISSUE = PACK_ISSUE, "Statement pack"
        YEAR_END = YEAR_END, "Year end"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    PENDING = (Status.QUEUED, Status.RUNNING)

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parameters = models.JSONField(default=dict, blank=True)
    # Two jobs with the same key may not be pending at once (a pack for one month, the year end of one year).
    dedupe_key = models.CharField(max_length=100, blank=True)
    input_file = models.FileField(upload_to="jobs/input/", max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)  # the result in a sentence, or why it failed, in plain words
    result = models.JSONField(default=dict, blank=True)  # details the job's page shows
    result_file = models.FileField(upload_to="jobs/results/", max_length=300, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-queued_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "done", "failed"]),
                                   name="jobs_job_status_known"),
            models.CheckConstraint(condition=Q(progress_done__lte=models.F("progress_total")),
                                   name="jobs_job_progress_within_total"),
            models.UniqueConstraint(fields=["kind", "dedupe_key"], name="jobs_job_one_pending_per_key",
                                    condition=Q(status__in=["queued", "running"]) & ~Q(dedupe_key="")),
        ]

    def __str__(self):
        return f"Job {self.pk}: {self.title}"

    @property
    def title(self) -> str:
        p = self.parameters
        if self.kind == self.Kind.INCOME_IMPORT:
            return f"{'Check' if p.get('check_only') else 'Import'} of {p.get('file_name', 'a file')}"
        if self.kind == self.Kind.PACK_ISSUE:
            return f"Statement pack for {p.get('month_label', p.get('month', ''))}"
        return f"Year end of {p.get('year_label', '')}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
