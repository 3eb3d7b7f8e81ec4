"""At a phone's width (375 px) nothing makes the page scroll sideways.

Wide tables scroll inside their own box or turn into cards, a month day's
appointments wrap inside that day's column, and the client chooser's list
stays inside its card.
"""

import calendar
import datetime as dt
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page

from scheduling.models import Status
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
LONG_SERVICE = "Occupational therapy consultation"


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}{reverse('account_login')}")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def page_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE)
    yield context
    context.close()


@pytest.fixture
def practice(db):
    organization = factories.OrganizationFactory(display_name="Bright Steps Therapy")
    first = factories.ClientFactory(organization=organization, first_name="Ada")
    guardian = factories.PortalAccessFactory(client=first).user
    factories.PortalAccessFactory(
        user=guardian,
        client=factories.ClientFactory(organization=organization, first_name="Ben"),
    )
    service = factories.ServiceFactory(organization=organization, name=LONG_SERVICE)
    zone = organization.zone
    today = timezone.now().astimezone(zone).date()
    # Three sessions on one day and one the next, mid-month, one of them cancelled.
    for day, hour, status in [
        (10, 9, Status.SCHEDULED),
        (10, 13, Status.CANCELLED),
        (10, 16, Status.SCHEDULED),
        (11, 9, Status.SCHEDULED),
    ]:
        starts_at = dt.datetime(today.year, today.month, day, hour, 30, tzinfo=zone)
        factories.AppointmentFactory(
            client=first,
            service=service,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=2),
            status=status,
            location_detail="Sensory gym, second floor, east wing",
        )
        factories.AppointmentFactory(
            client=first, starts_at=starts_at, visible_to_client=False
        )
    return {
        "organization": organization,
        "client": first,
        "guardian": guardian,
        "scheduler": factories.scheduler(organization),
        "month": today,
    }


def test_portal_pages_fit_a_phone(live_server, phone, screenshot, practice):
    base = live_server.url
    page = phone.new_page()
    client_id = practice["client"].public_id
    month = practice["month"]

    sign_in(page, base, practice["guardian"].email)
    list_style = page.evaluate(
        "() => getComputedStyle(document.querySelector('.client-list')).listStyleType"
    )
    screenshot(page, "phone-01-choose-client")

    page.goto(f"{base}{reverse('portal:schedule', args=[client_id])}")
    schedule_width = page_width(page)
    screenshot(page, "phone-02-schedule")

    page.goto(
        base
        + reverse("portal:schedule_month", args=[client_id, month.year, month.month])
    )
    month_width = page_width(page)
    spilling_days = page.evaluate(
        """() => [...document.querySelectorAll('table.month td')]
            .filter(td => td.scrollWidth > td.clientWidth)
            .map(td => td.textContent.trim().slice(0, 40))"""
    )
    items = page.locator(".day-appointments li").count()
    # On a phone the month is a list of its busy days, each with its full date.
    shown_days = page.locator("table.month td:visible")
    shown_day_count = shown_days.count()
    first_day_heading = shown_days.first.locator(".list-day").inner_text()
    screenshot(page, "phone-03-month")

    assert list_style == "none"
    assert schedule_width <= PHONE["width"]
    assert month_width <= PHONE["width"]
    assert items == 4
    assert spilling_days == []
    assert shown_day_count == 2
    assert first_day_heading.split(",")[0] in calendar.day_name


def test_staff_list_scrolls_inside_its_box_on_a_phone(
    live_server, phone, screenshot, practice
):
    base = live_server.url
    page = phone.new_page()

    sign_in(page, base, practice["scheduler"].user.email)
    page.goto(f"{base}{reverse('scheduling:appointment_list')}?date_from=")
    widths = page.evaluate(
        """() => {
            const box = document.querySelector('.table-scroll');
            return [document.documentElement.scrollWidth, box.scrollWidth,
                    box.clientWidth];
        }"""
    )
    screenshot(page, "phone-04-staff-list")

    page_scroll, table_width, box_width = widths
    assert page_scroll <= PHONE["width"]
    assert table_width > box_width
