from django.core.management.base import BaseCommand, CommandError

from committee.errors import Refused
from committee.models import Channel, Role
from committee.services import seat_grant
from committee.system import system_actor


class Command(BaseCommand):
    help = (
        "Seat a person on the committee as chair or member, creating the user if missing "
        "(with no usable password: nothing secret is made or printed). A seat of another "
        "role or affiliation ends; the same seat again changes nothing. Acts as the system "
        "user, whom the event log names."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME")
        # Checked by the service, so that a bad role gets its plain message.
        parser.add_argument(
            "--role", required=True, metavar="|".join(Role.values), help="the seat's role"
        )
        parser.add_argument("--affiliation", default="", metavar="ORG", help="who they work for")
        parser.add_argument(
            "--email", default="", metavar="ADDR", help="their e-mail address, for a new user"
        )

    def handle(self, *args, username, role, affiliation, email, **options):
        try:
            grant = seat_grant(
                username=username,
                role=role,
                affiliation=affiliation,
                email=email,
                actor=system_actor(),
                channel=Channel.COMMAND,
            )
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        seat = grant.seat
        name = seat.user.get_username()
        what = f"{seat.get_role_display().lower()}" + (
            f" of {seat.affiliation}" if seat.affiliation else ""
        )
        if grant.user_created:
            self.stdout.write(
                f"created user {name}, without a usable password "
                f"(an operator sets one with: manage.py changepassword {name})"
            )
        for ended in grant.ended:
            self.stdout.write(f"ended {name}'s seat as {ended.get_role_display().lower()}")
        if grant.created:
            self.stdout.write(f"seated {name} as {what} from {seat.valid_from:%Y-%m-%d %H:%M} UTC")
        else:
            self.stdout.write(f"{name} is seated as {what} already: nothing changed")
