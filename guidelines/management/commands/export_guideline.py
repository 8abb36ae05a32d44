import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guidelines.selectors import document_text, guideline_document, guideline_get


class Command(BaseCommand):
    help = (
        "Write a guideline as the committee's JSON document, in its own schema "
        "generation, to standard output or --output FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", metavar="KEY", help="guideline name, e.g. 2020.06 or next")
        parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE")

    def handle(self, *args, key, output, **options):
        guideline = guideline_get(key.removesuffix(".json"))
        if guideline is None:
            raise CommandError(f"no guideline named {key!r}")
        text = document_text(guideline_document(guideline))
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
        self.stderr.write(f"wrote {guideline.key} to {output}")
