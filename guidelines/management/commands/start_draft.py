from django.core.management.base import BaseCommand, CommandError

from guidelines.selectors import guideline_get
from guidelines.services import GuidelineError, draft_name_for, guideline_start_draft


class Command(BaseCommand):
    help = (
        "Start a draft guideline as a copy of another (2017A A1.1/A1.2): named next "
        "(or <add-on>.next), status draft, replacing the source."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="source",
            required=True,
            metavar="KEY",
            help="the guideline to copy, e.g. 2020.06",
        )
        parser.add_argument(
            "--name", metavar="NAME", help="name of the draft (default: next or <add-on>.next)"
        )

    def handle(self, *args, source, name, **options):
        original = guideline_get(source.removesuffix(".json"))
        if original is None:
            raise CommandError(f"no guideline named {source!r}")
        try:
            draft = guideline_start_draft(source=original, name=name)
        except GuidelineError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"started draft {draft.key} from {original.key} "
            f"(default name {draft_name_for(original)})"
        )
