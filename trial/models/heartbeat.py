"""A worker's periodic proof of life, written by a Celery task (and shown on the admin home)."""

from django.db import models


class WorkerHeartbeat(models.Model):
    hostname = models.CharField(max_length=255)
    note = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        get_latest_by = "recorded_at"

    def __str__(self) -> str:
        return f"{self.hostname} at {self.recorded_at:%Y-%m-%d %H:%M:%S}"
