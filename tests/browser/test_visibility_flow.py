"""A clinic's day, in a real browser: hide, show, unhide, and a hidden colleague.

An administrator leaves Allow Hiding on Yes; a scheduler books a hidden and a
visible weekly series and one visible session with the billing coordinator;
the guardian sees only what is visible; the scheduler unhides two sessions;
the guardian sees those too. The billing coordinator, a Hidden Contact on
the child's care team, is never named on any page the guardian opens.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import CareTeamMember
from scheduling.models import Appointment
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HIDDEN_SERVICE = "Social skills group"
VISIBLE_SERVICE = "ABA therapy"
CONSULT_SERVICE = "Parent billing consult"
SESSIONS = 4


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("input[name=password]")).to_have_count(0)


def book(page: Page, base_url: str, **fields: str) -> None:
    """Fill the New appointment form the way a scheduler would."""
    page.goto(f"{base_url}/staff/scheduling/new/")
    page.select_option("select[name=client]", label=fields["client"])
    page.select_option("select[name=provider]", label=fields["provider"])
    page.select_option("select[name=service]", label=fields["service"])
    page.fill("input[name=date]", fields["date"])
    page.fill("input[name=start_time]", fields["start"])
    page.fill("input[name=end_time]", fields["end"])
    page.select_option("select[name=location_kind]", value="clinic")
    # Weekly options stay out of the way until the booking repeats.
    expect(page.locator("input[name=weekdays]").first).to_be_hidden()
    page.fill("input[name=location_detail]", "Room 4")
    if fields.get("weekday") is not None:
        page.check("input[name=repeat][value=weekly]")
        page.check(f"input[name=weekdays][value='{fields['weekday']}']")
        page.check("input[name=ends][value=after_count]")
        page.fill("input[name=occurrence_count]", str(SESSIONS))
    toggle = page.locator("input[name=visible_to_client][type=checkbox]")
    expect(toggle).to_be_checked()
    if fields["visible"] == "no":
        toggle.uncheck()
    page.click("button:has-text('Book appointment')")
    page.wait_for_load_state()
    expect(page.locator(".message-error")).to_have_count(0)


@pytest.fixture
def clinic(db):
    organization = factories.OrganizationFactory(display_name="Bright Steps Therapy")
    child = factories.ClientFactory(
        organization=organization, first_name="Maya", last_name="Lopez"
    )
    bcba = factories.StaffFactory(
        organization=organization, first_name="Dana", last_name="Reyes"
    )
    billing = factories.hide_from_clients(
        factories.StaffFactory(
            organization=organization,
            first_name="Quentin",
            last_name="Marchbanks",
            title="Billing coordinator",
        )
    )
    for staff, role in [
        (bcba, CareTeamMember.Role.BCBA),
        (billing, CareTeamMember.Role.BILLING_COORDINATOR),
    ]:
        factories.CareTeamFactory(client=child, staff=staff, role=role)
    for name in (HIDDEN_SERVICE, VISIBLE_SERVICE, CONSULT_SERVICE):
        factories.ServiceFactory(organization=organization, name=name)
    return {
        "organization": organization,
        "child": child,
        "bcba": bcba,
        "billing": billing,
        "admin": factories.administrator(organization),
        "scheduler": factories.scheduler(organization),
        "guardian": factories.PortalAccessFactory(client=child).user,
    }


def test_guardian_sees_exactly_what_the_practice_made_visible(
    live_server, new_page, screenshot, clinic
):
    base = live_server.url
    local_today = timezone.now().astimezone(clinic["organization"].zone).date()
    next_monday = local_today + dt.timedelta(days=7 - local_today.weekday())
    child_name = clinic["child"].full_name
    hidden_names = ("Quentin", "Marchbanks")

    # The administrator finds Allow Hiding on Yes and keeps it.
    admin = new_page()
    sign_in(admin, base, clinic["admin"].user.email)
    admin.goto(f"{base}/staff/scheduling/settings/additional/")
    setting = admin.get_by_label("Allow Hiding Appointments from Clients")
    expect(setting).to_have_value(re.compile("yes|true|True|1"))
    admin.click("button:has-text('Update')")
    expect(admin.locator("#messages")).to_contain_text(re.compile(r"\S"))
    screenshot(admin, "01-admin-settings")

    # The scheduler books a hidden series, a visible series, and one visible
    # consult whose provider is the hidden billing coordinator.
    scheduler = new_page()
    sign_in(scheduler, base, clinic["scheduler"].user.email)
    common = {"client": child_name, "date": next_monday.isoformat()}
    book(
        scheduler,
        base,
        **common,
        provider=clinic["bcba"].full_name,
        service=HIDDEN_SERVICE,
        start="09:00",
        end="10:00",
        weekday="0",
        visible="no",
    )
    book(
        scheduler,
        base,
        **common,
        provider=clinic["bcba"].full_name,
        service=VISIBLE_SERVICE,
        start="15:00",
        end="16:00",
        weekday="0",
        visible="yes",
    )
    book(
        scheduler,
        base,
        **common,
        provider=clinic["billing"].full_name,
        service=CONSULT_SERVICE,
        start="17:00",
        end="17:30",
        visible="yes",
    )
    screenshot(scheduler, "02-scheduler-booked")
    assert Appointment.objects.filter(visible_to_client=False).count() == SESSIONS
    assert Appointment.objects.filter(visible_to_client=True).count() == SESSIONS + 1

    # The guardian sees the visible series and the consult, nothing hidden.
    guardian = new_page()
    sign_in(guardian, base, clinic["guardian"].email)
    guardian_pages: list[str] = [guardian.content()]
    guardian.get_by_role("link", name="Schedule").first.click()
    guardian.wait_for_load_state()
    schedule_url = guardian.url
    body = guardian.locator("main")
    expect(body.get_by_text(VISIBLE_SERVICE)).to_have_count(SESSIONS)
    expect(body.get_by_text(HIDDEN_SERVICE)).to_have_count(0)
    expect(body.get_by_text(CONSULT_SERVICE)).to_have_count(1)
    guardian_pages.append(guardian.content())
    screenshot(guardian, "03-guardian-schedule-before")

    # The scheduler unhides two of the hidden sessions, in bulk.
    scheduler.goto(f"{base}/staff/scheduling/?visibility=hidden")
    boxes = scheduler.locator("input[name=selected]")
    expect(boxes).to_have_count(SESSIONS)
    boxes.nth(0).check()
    boxes.nth(1).check()
    scheduler.click("button:has-text('Unhide selected')")
    scheduler.wait_for_load_state()
    expect(scheduler.locator("main")).to_contain_text("2 appointments")
    screenshot(scheduler, "04-scheduler-confirm")
    scheduler.click("button:has-text('Make 2 appointments visible')")
    scheduler.wait_for_load_state()
    assert Appointment.objects.filter(visible_to_client=False).count() == SESSIONS - 2

    # The guardian reloads and now sees those two as well.
    guardian.goto(schedule_url)
    expect(body.get_by_text(HIDDEN_SERVICE)).to_have_count(2)
    expect(body.get_by_text(VISIBLE_SERVICE)).to_have_count(SESSIONS)
    guardian_pages.append(guardian.content())
    screenshot(guardian, "05-guardian-schedule-after")

    # The consult shows the practice's name where its provider would be.
    body.get_by_text(CONSULT_SERVICE).first.click()
    guardian.wait_for_load_state()
    expect(guardian.locator("main")).to_contain_text("Bright Steps Therapy")
    guardian_pages.append(guardian.content())
    screenshot(guardian, "06-guardian-consult")

    for link in ("Teams", "Home"):
        guardian.get_by_role("link", name=link).first.click()
        guardian.wait_for_load_state()
        guardian_pages.append(guardian.content())
    expect(guardian.locator("main")).to_contain_text(clinic["bcba"].full_name)
    screenshot(guardian, "07-guardian-home")

    guardian.goto(f"{schedule_url}{next_monday.year}/{next_monday.month}/")
    guardian_pages.append(guardian.content())
    screenshot(guardian, "08-guardian-month")

    for html in guardian_pages:
        for name in hidden_names:
            assert name not in html
