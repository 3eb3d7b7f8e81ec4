"""Measure the pages and bulk actions that grow with a clinic's size.

Builds a practice of the given size inside a transaction, times each
operation, prints the figures and rolls everything back, so it can run
against any development database. Appointments can never be deleted, which
is why the rollback, not a clean-up, removes what it made.

    python manage.py benchmark --clients 300 --weeks 26
"""

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import CareTeamMember, Client, Organization, PortalAccess, User
from permissions.models import BuiltIn
from permissions.services import add_member, built_in_group
from scheduling import services
from scheduling.models import Appointment, LocationKind, Service, VisibilityChange


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


class Rollback(Exception):
    """Raised to leave the benchmark's transaction without keeping anything."""


class Command(BaseCommand):
    help = "Time the portal and staff pages and bulk unhide at clinic scale."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--clients", type=positive, default=300)
        parser.add_argument("--weeks", type=positive, default=26)
        parser.add_argument("--repeat", type=positive, default=30)

    def handle(
        self, *args: Any, clients: int, weeks: int, repeat: int, **kw: Any
    ) -> None:
        self.repeat = repeat
        try:
            with transaction.atomic():
                self.run(clients, weeks)
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the database is as it was.")

    def run(self, client_count: int, weeks: int) -> None:
        started = time.perf_counter()
        practice = self.build_practice(client_count, weeks)
        total = Appointment.objects.filter(organization=practice["org"]).count()
        self.report("build", time.perf_counter() - started, f"{total} appointments")

        staff_http = HttpClient(HTTP_HOST="127.0.0.1")
        staff_http.force_login(practice["admin"])
        guardian_http = HttpClient(HTTP_HOST="127.0.0.1")
        guardian_http.force_login(practice["guardian"])
        client_id = practice["client"].public_id

        self.time_page(guardian_http, reverse("portal:schedule", args=[client_id]))
        self.time_page(guardian_http, reverse("portal:client_home", args=[client_id]))
        self.time_page(guardian_http, reverse("portal:team", args=[client_id]))
        self.time_page(staff_http, reverse("scheduling:appointment_list"))
        self.time_page(
            staff_http, reverse("scheduling:appointment_list") + "?visibility=hidden"
        )
        self.time_bulk_unhide(practice)

    def build_practice(self, client_count: int, weeks: int) -> dict[str, Any]:
        org = Organization.objects.create(
            display_name="Benchmark Practice", slug=f"benchmark-{time.time_ns()}"
        )
        admin = User.objects.create_user(
            f"bench-admin-{org.slug}@example.test", organization=org
        )
        admin_staff = org.staff.create(user=admin, first_name="Ada", last_name="Min")
        add_member(built_in_group(org, BuiltIn.ADMINISTRATORS), admin_staff)
        hidden = org.staff.create(first_name="Hidden", last_name="Biller")
        add_member(built_in_group(org, BuiltIn.HIDDEN_CONTACTS), hidden)
        providers = [
            org.staff.create(first_name="Provider", last_name=str(n)) for n in range(20)
        ]
        service = Service.objects.create(organization=org, name="ABA therapy")

        first = dt.date.today() - dt.timedelta(weeks=weeks // 2)
        records = Client.objects.bulk_create(
            Client(organization=org, first_name="Client", last_name=str(n))
            for n in range(client_count)
        )
        for n, record in enumerate(records):
            provider = providers[n % len(providers)]
            for staff, role in [(provider, "rbt"), (hidden, "billing")]:
                CareTeamMember.objects.create(
                    organization=org, client=record, staff=staff, role=role
                )
            services.create_series(
                actor=admin,
                client=record,
                provider=hidden if n == 0 else provider,
                service=service,
                first_date=first,
                local_start_time=dt.time(9 + n % 8),
                duration_minutes=60,
                weekdays=[0, 2, 4],
                ends="on_date",
                end_date=first + dt.timedelta(weeks=weeks),
                location_kind=LocationKind.CLINIC,
                visible_to_client=n % 2 == 0,
            )

        guardian = User.objects.create_user(
            f"bench-guardian-{org.slug}@example.test", organization=org
        )
        PortalAccess.objects.create(
            organization=org, user=guardian, client=records[0], relationship="parent"
        )
        return {"org": org, "admin": admin, "guardian": guardian, "client": records[0]}

    def time_page(self, http: HttpClient, url: str) -> None:
        def fetch() -> None:
            response = http.get(url)
            assert response.status_code == 200, (url, response.status_code)

        # Django clears connection.queries when a request starts, so the
        # queries are counted by a wrapper instead.
        queries: list[str] = []

        def count(execute: Any, sql: str, *args: Any) -> Any:
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            fetch()
        timings = self.sample(fetch)
        self.report(
            f"GET {url}",
            statistics.median(timings),
            f"p90 {self.p90(timings) * 1000:.1f} ms, {len(queries)} queries",
        )

    def time_bulk_unhide(self, practice: dict[str, Any]) -> None:
        hidden_ids = list(
            Appointment.objects.filter(
                organization=practice["org"], visible_to_client=False
            ).values_list("pk", flat=True)
        )
        started = time.perf_counter()
        change = services.unhide_appointments(
            actor=practice["admin"],
            organization=practice["org"],
            appointment_ids=hidden_ids,
            action=VisibilityChange.Action.UNHIDE_MATCHING,
        )
        # The history check is deferred to commit; run it now so its cost is
        # counted, since this transaction is rolled back instead.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        elapsed = time.perf_counter() - started
        count = change.appointment_count if change else 0
        self.report("bulk unhide", elapsed, f"{count} appointments")

    def sample(self, operation: Callable[[], None]) -> list[float]:
        timings = []
        for _ in range(self.repeat):
            started = time.perf_counter()
            operation()
            timings.append(time.perf_counter() - started)
        return timings

    @staticmethod
    def p90(timings: list[float]) -> float:
        if len(timings) < 2:
            return timings[0]
        return statistics.quantiles(timings, n=10, method="inclusive")[-1]

    def report(self, label: str, seconds: float, detail: str) -> None:
        self.stdout.write(f"{label:<70} {seconds * 1000:9.1f} ms  {detail}")
