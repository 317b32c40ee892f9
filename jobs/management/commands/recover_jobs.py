"""python manage.py recover_jobs (--worker-id ID | --all-running)

Run before a worker starts: jobs left "running" by a worker that was stopped (killed, or the machine went down)
end as failed, saying they were interrupted, so the same work can be queued again. ``--worker-id`` names the
worker about to start (``db_worker --worker-id`` the same): only the jobs it had taken. ``--all-running`` is for
when no worker runs at all (``make run``, before starting its one).
"""

from django.core.management.base import BaseCommand, CommandError

from jobs.services import jobs_interrupted


class Command(BaseCommand):
    help = "End as failed the jobs a stopped background worker was running, so they can be started again."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--worker-id", help="the id of the worker about to start (db_worker --worker-id)")
        which.add_argument("--all-running", action="store_true", help="every running job: only when no worker runs")

    def handle(self, *args, worker_id, all_running, **options):
        if not worker_id and not all_running:
            raise CommandError("Say which jobs: --worker-id ID (the worker about to start) or --all-running (when no "
                               "worker is running at all).")
        ended = jobs_interrupted(worker_id=worker_id)
        for job in ended:
            self.stdout.write(f"Job {job.pk} ({job.title}, asked for by {job.requested_by.get_username()}): "
                              "interrupted, now failed")
        if options["verbosity"] > 1 or ended:
            self.stdout.write(f"{len(ended)} interrupted job{'s' if len(ended) != 1 else ''} ended.")
