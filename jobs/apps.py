from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"

    def ready(self):
        # Pages of apps left of this one start background work through core.background; this app carries it out.
        from core.background import background_register
        from jobs.services import job_start_from_page

        background_register(job_start_from_page)
