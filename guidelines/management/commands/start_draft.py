from django.core.management.base import BaseCommand, CommandError

from committee.errors import Refused
from committee.system import system_actor
from guidelines.selectors import guideline_get, guideline_latest_approved
from guidelines.services import draft_name_for, guideline_start_draft


class Command(BaseCommand):
    help = (
        "Start a draft guideline as a copy of another (2017A A1.1/A1.2): named next "
        "(or <add-on>.next), status draft, replacing the source."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--from", dest="source", metavar="KEY", help="the guideline to copy, e.g. 2020.06"
        )
        which.add_argument(
            "--latest",
            metavar="KIND",
            help="copy the latest approved guideline of a kind: powered, or an add-on "
            "such as orchestration",
        )
        parser.add_argument(
            "--name", metavar="NAME", help="name of the draft (default: next or <add-on>.next)"
        )

    def handle(self, *args, source, latest, name, **options):
        if latest:
            original = guideline_latest_approved(latest)
            if original is None:
                raise CommandError(f"no approved guideline of kind {latest!r}")
        else:
            original = guideline_get(source.removesuffix(".json"))
            if original is None:
                raise CommandError(f"no guideline named {source!r}")
        try:
            draft = guideline_start_draft(source=original, name=name, actor=system_actor())
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"started draft {draft.key} from {original.key} "
            f"(default name {draft_name_for(original)})"
        )
