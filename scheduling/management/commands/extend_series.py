"""``manage.py extend_series``: roll unfinished series forward, nightly."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization
from scheduling.services import extend_open_series


class Command(BaseCommand):
    help = (
        "Materialize the occurrences of unfinished appointment series up to the "
        "rolling horizon (SCHEDULING_HORIZON_DAYS). Meant for a nightly cron job; "
        "safe to run more often, since it only adds occurrences that are missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organization",
            metavar="SLUG",
            help="Only this organization's series (default: every organization).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = None
        if options["organization"]:
            organization = Organization.objects.filter(
                slug=options["organization"]
            ).first()
            if organization is None:
                raise CommandError("No organization has that slug.")

        created = extend_open_series(organization)

        self.stdout.write(f"Created {created} occurrences.")
