from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capabilities.services import worksheet_import
from committee.errors import Refused
from committee.system import system_actor
from guidelines.models import EventChannel
from guidelines.selectors import guideline_get


class Command(BaseCommand):
    help = (
        "Import a scoring worksheet (like working_materials/scoring.txt) into a draft "
        "guideline: each line naming a capability sets that capability's consensus scores, "
        "and its achievements follow. Other lines are kept as written. Reports lines whose "
        "names are not capabilities and typed totals the arithmetic disagrees with."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--guideline",
            required=True,
            metavar="KEY",
            help="the draft guideline whose criteria and weights apply",
        )
        parser.add_argument("--name", help="the worksheet's name (default: the file name)")

    def handle(self, *args, file, guideline, name, **options):
        target = guideline_get(guideline.removesuffix(".json"))
        if target is None:
            raise CommandError(f"no guideline named {guideline!r}")
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        try:
            report = worksheet_import(
                guideline=target,
                text=text,
                name=name or path.name,
                actor=system_actor(),
                channel=EventChannel.IMPORT,
            )
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        for note in report.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write(
            f"{file}: imported into {target.key}: {report.matched} capabilities scored, "
            f"{len(report.notes)} notes"
        )
