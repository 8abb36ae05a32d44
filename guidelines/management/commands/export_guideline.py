import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guidelines.renderings import FORMATS, check_format, render
from guidelines.selectors import guideline_get


class Command(BaseCommand):
    help = (
        "Write a guideline, published or not, to standard output or --output FILE: "
        "as the committee's JSON document in its own schema generation (the default), "
        "or for people to read as reStructuredText laid out like the committee's "
        "jsonToRst.py, Markdown or HTML (--format)."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", metavar="KEY", help="guideline name, e.g. 2020.06 or next")
        parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE")
        parser.add_argument(
            "--format",
            "-f",
            default="json",
            metavar="FORMAT",
            help=f"one of {', '.join(FORMATS)} (default json)",
        )

    def handle(self, *args, key, output, format, **options):
        # Checked by hand rather than with argparse choices, so the message says
        # which option was wrong and what it takes.
        try:
            check_format(format)
        except ValueError as exc:
            raise CommandError(f"--format: {exc}") from exc
        name = key.removesuffix(".json")
        guideline = guideline_get(name)
        if guideline is None:
            raise CommandError(
                f"no guideline named {name!r} in the database: import it with "
                "import_guidelines, or see the names on the guideline list"
            )
        text = render(guideline, format)
        if not output:
            self.stdout.write(text, ending="")
            return
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"{output}: folder {target.parent} does not exist")
        # Write beside the target and rename, so a failure never leaves half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise CommandError(f"{output}: {exc}") from exc
        self.stderr.write(f"wrote {guideline.key} as {format} to {output}")
