from django.core.management.base import BaseCommand, CommandError

from committee.errors import Refused
from committee.models import Channel
from committee.system import system_actor
from guidelines.selectors import guideline_get
from releases.selectors import progress
from releases.services import guideline_approve


class Command(BaseCommand):
    help = (
        "Approve a draft as its release YYYY.MM (2017A C6.3, D4.1): after a passed approval "
        "ballot (--ballot ID), or, for history approved before this site, with the reason "
        "recorded (--approved-elsewhere REASON). Acts as the system user. The release is "
        "created, validated and served at once; its renderings and bundle follow as tasks."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", metavar="KEY", help="the draft's name, e.g. next")
        parser.add_argument(
            "--as", dest="name", required=True, metavar="YYYY.MM", help="the release's name"
        )
        authority = parser.add_mutually_exclusive_group(required=True)
        authority.add_argument("--ballot", type=int, metavar="ID", help="the passed ballot")
        authority.add_argument(
            "--approved-elsewhere", metavar="REASON", help="where and when it was approved"
        )

    def handle(self, *args, key, name, ballot, approved_elsewhere, **options):
        draft = guideline_get(key.removesuffix(".json"))
        if draft is None:
            raise CommandError(f"no guideline named {key!r}")
        try:
            release = guideline_approve(
                draft=draft,
                name=name,
                ballot=ballot,
                approved_elsewhere=approved_elsewhere or "",
                actor=system_actor(),
                channel=Channel.COMMAND,
            )
        except Refused as exc:
            raise CommandError(str(exc)) from exc
        release.refresh_from_db()
        superseded = f"; superseded {', '.join(release.superseded)}" if release.superseded else ""
        state = progress(release)["state"]
        self.stdout.write(
            f"{release.key} approved from {draft.key}"
            + (f", replacing {release.replaces.key}" if release.replaces else "")
            + f"{superseded}; publishing: {state}"
        )
