import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from committee.errors import Refused
from committee.system import system_actor
from guidelines.interop_format.nesting import loads_bounded
from guidelines.interop_format.reader import FormatError
from guidelines.services import guideline_import


def is_json_schema(path: Path) -> bool:
    """The committee's repository keeps its JSON Schemas beside the guidelines."""
    try:
        # Bounded: a file nested a thousand deep is not a schema, and must not crash the walk.
        document = loads_bounded(json.loads, path.read_bytes())
    except (OSError, ValueError):  # TooDeep is a ValueError
        return False
    return isinstance(document, dict) and "$schema" in document


def guideline_files(paths: list[str]) -> list[Path]:
    """Files as given, and every *.json below each folder (JSON Schemas aside), in name order."""
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*.json") if p.is_file() and not is_json_schema(p)
            )
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{name}: no such file or folder")
    return files


class Command(BaseCommand):
    help = (
        "Import interop guideline documents (schema 1.2 to 2.0). A guideline's name is "
        "its file name without .json (2020.06, next, orchestration.2020.06). Each file is "
        "one transaction: a file that fails leaves nothing behind. Re-importing a file "
        "changes nothing. --replace overwrites drafts and guidelines in review, never a "
        "published guideline (2017A D2.1). Acts as the system user, whom the change log "
        "names. Exits non-zero if any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="guideline files, or folders to search for *.json",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite a draft (or a guideline in review) whose stored content differs; "
            "published guidelines change only by flags",
        )

    def handle(self, *args, paths, replace, verbosity, **options):
        files = guideline_files(paths)
        if not files:
            raise CommandError(f"no *.json files in {', '.join(paths)}")
        outcomes = dict.fromkeys(["created", "replaced", "unchanged", "failed"], 0)
        actor = system_actor()
        for path in files:
            key = path.name.removesuffix(".json")
            try:
                result = guideline_import(
                    raw=path.read_bytes(),
                    key=key,
                    filename=str(path),
                    replace=replace,
                    actor=actor,
                )
            except (FormatError, Refused, OSError) as exc:
                outcomes["failed"] += 1
                self.stderr.write(self.style.ERROR(f"{path}: {exc}"))
                continue
            outcomes[result.outcome] += 1
            g = result.guideline
            self.stdout.write(
                f"{path}: {result.outcome} {g.key} (schema {g.schema}, {g.status}): "
                f"{result.capabilities} capabilities, {result.tests} tests, "
                f"{result.flagged} flagged; {len(result.warnings)} warnings"
            )
            if verbosity < 1:
                continue
            shown = result.warnings if verbosity >= 2 else result.warnings[:5]
            for where, message in shown:
                self.stdout.write(f"  warning at {where}: {message}")
            if len(shown) < len(result.warnings):
                more = len(result.warnings) - len(shown)
                self.stdout.write(f"  ... {more} more (-v 2 shows all)")
        self.stdout.write(", ".join(f"{n} {outcome}" for outcome, n in outcomes.items()))
        if outcomes["failed"]:
            raise CommandError(f"{outcomes['failed']} of {len(files)} files failed to import")
