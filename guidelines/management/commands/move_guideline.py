from django.core.management.base import BaseCommand, CommandError

from committee.errors import Refused
from committee.system import system_actor
from guidelines.lifecycle import MOVES
from guidelines.models import EventChannel
from guidelines.selectors import guideline_get
from guidelines.services import MOVE_SERVICES


class Command(BaseCommand):
    help = (
        "Move a guideline along its life cycle, saying why: "
        + "; ".join(f"{m.source} -> {m.target} ({m.label.lower()})" for m in MOVES)
        + ". Acts as the system user, whom the change log names with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", metavar="KEY", help="guideline name, e.g. next")
        parser.add_argument("--to", required=True, choices=sorted(MOVE_SERVICES))
        parser.add_argument("--reason", required=True, help="why: recorded with the move")

    def handle(self, *args, key, to, reason, **options):
        guideline = guideline_get(key.removesuffix(".json"))
        if guideline is None:
            raise CommandError(f"no guideline named {key!r}")
        source = guideline.status
        try:
            MOVE_SERVICES[to](
                guideline=guideline,
                actor=system_actor(),
                reason=reason,
                channel=EventChannel.COMMAND,
            )
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{guideline.key}: {source} -> {to}")
