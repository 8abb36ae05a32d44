from django.core.management.base import BaseCommand, CommandError

from committee.errors import Refused
from committee.models import Channel
from committee.services import seat_end
from committee.system import system_actor


class Command(BaseCommand):
    help = (
        "End a person's current seat on the committee now; the seat stays in the history. "
        "Acts as the system user, whom the event log names with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME")
        parser.add_argument("--reason", default="", help="why: recorded with the change")

    def handle(self, *args, username, reason, **options):
        try:
            ended = seat_end(
                username=username, reason=reason, actor=system_actor(), channel=Channel.COMMAND
            )
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        for seat in ended:
            self.stdout.write(
                f"ended {seat.user.get_username()}'s seat as {seat.get_role_display().lower()} "
                f"(held since {seat.valid_from:%Y-%m-%d}); kept in the history"
            )
