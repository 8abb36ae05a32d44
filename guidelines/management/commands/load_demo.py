from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = (
        "Load the demo guidelines written for this project (a powered platform "
        "guideline and a DNS add-on). Loading them again changes nothing."
    )

    def handle(self, *args, **options):
        call_command("import_guidelines", str(DEMO), verbosity=options["verbosity"])
