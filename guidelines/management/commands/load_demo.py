from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from guidelines.models import Guideline

DEMO = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = (
        "Load the demo guidelines written for this project (a powered platform "
        "guideline and a DNS add-on). A demo guideline already on the site is left "
        "as it is, flags and all: loading them again changes nothing."
    )

    def handle(self, *args, **options):
        files = sorted(DEMO.glob("*.json"))
        present = set(
            Guideline.objects.filter(
                key__in=[path.name.removesuffix(".json") for path in files]
            ).values_list("key", flat=True)
        )
        missing = [path for path in files if path.name.removesuffix(".json") not in present]
        for key in sorted(present):
            self.stdout.write(f"{key}: already here, left as it is")
        if missing:
            call_command("import_guidelines", *map(str, missing), verbosity=options["verbosity"])
