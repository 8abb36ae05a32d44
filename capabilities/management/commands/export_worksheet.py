from django.core.management.base import BaseCommand, CommandError

from capabilities.selectors import worksheet_csv, worksheet_text
from guidelines.selectors import guideline_get


class Command(BaseCommand):
    help = (
        "Write a guideline's scoring worksheet with totals and asterisks recomputed from "
        "the consensus scores (txt, like scoring.txt), or the tabulated CSV "
        "(like tabulated_scores.csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--guideline", required=True, metavar="KEY")
        parser.add_argument("--format", choices=["txt", "csv"], default="txt")
        parser.add_argument("--name", help="which worksheet (default: the only one)")
        parser.add_argument("--output", "-o", metavar="FILE")

    def handle(self, *args, guideline, format, name, output, **options):
        target = guideline_get(guideline.removesuffix(".json"))
        if target is None:
            raise CommandError(f"no guideline named {guideline!r}")
        worksheets = target.worksheets.all()
        if name:
            worksheets = worksheets.filter(name=name)
        found = list(worksheets)
        if not found:
            raise CommandError(
                f"{target.key} has no worksheet" + (f" named {name!r}" if name else "")
            )
        if len(found) > 1:
            names = ", ".join(w.name for w in found)
            raise CommandError(f"{target.key} has several worksheets ({names}): choose with --name")
        text = (worksheet_csv if format == "csv" else worksheet_text)(found[0])
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
