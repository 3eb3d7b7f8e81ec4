"""``manage.py seed_demo``: two demo practices, safe to run any number of times."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Client
from scheduling.management.demo_builder import PracticeBuilder, login_rows
from scheduling.management.demo_people import BRIGHT_STEPS, HARBOR, PASSWORD
from scheduling.models import Appointment


class Command(BaseCommand):
    help = (
        "Create the demo practices Bright Steps Therapy and Harbor Speech & OT with "
        "staff, clients, portal logins and six weeks of sessions each way, then "
        "print the logins. Running it again adds nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            organizations = [PracticeBuilder(spec).build() for spec in PRACTICES]

        for organization in organizations:
            clients = Client.objects.filter(organization=organization).count()
            appointments = Appointment.objects.filter(organization=organization).count()
            self.stdout.write(
                f"{organization.display_name}: {clients} clients, "
                f"{appointments} appointments."
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Every demo login: password {PASSWORD}"))
        self._print_logins()

    def _print_logins(self) -> None:
        rows = [row for spec in PRACTICES for row in login_rows(spec)]
        email_width = max(len(row.email) for row in rows)
        role_width = max(len(row.role) for row in rows)
        header = f"{'E-mail':<{email_width}}  {'Role':<{role_width}}  What to look at"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in rows:
            self.stdout.write(
                f"{row.email:<{email_width}}  {row.role:<{role_width}}  {row.look_at}"
            )


PRACTICES = (BRIGHT_STEPS, HARBOR)
