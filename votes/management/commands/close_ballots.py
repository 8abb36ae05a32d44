"""Close the ballots past their deadline: what the periodic Celery task does,
for a site without Celery beat (run it from cron) or by hand."""

from django.core.management.base import BaseCommand

from votes.models import Ballot
from votes.services import close_expired


class Command(BaseCommand):
    help = "Close every open ballot past its deadline, as the system, and print the outcomes."

    def handle(self, *args, **options):
        closed = close_expired()
        for ballot in Ballot.objects.filter(pk__in=closed).order_by("pk"):
            self.stdout.write(f"ballot {ballot.pk} ({ballot.guideline.key}): {ballot.status}")
        self.stdout.write(f"{len(closed)} ballot{'s' * (len(closed) != 1)} closed")
