"""Who may open which staff page: one matrix of URL x role x expected status."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling import services
from scheduling.models import (
    Appointment,
    SchedulingSettings,
    Status,
    VisibilityChange,
)
from tests import factories

ROLE_FIXTURES = {
    "guardian": "guardian",
    "plain": "plain_staff",
    "scheduler": "scheduler_staff",
    "administrator": "admin_staff",
    "other_administrator": "other_admin",
}


@pytest.fixture
def other_admin(other_organization):
    return factories.administrator(other_organization)


@pytest.fixture
def target(organization, admin_staff, client_record):
    """A hidden occurrence of a weekly series in the organization."""
    series = services.create_series(
        actor=admin_staff.user,
        client=client_record,
        provider=admin_staff,
        service=factories.ServiceFactory(organization=organization),
        first_date=dt.date(2027, 3, 8),
        local_start_time=dt.time(16, 0),
        duration_minutes=60,
        weekdays=[0],
        ends="after_count",
        occurrence_count=3,
        location_kind="clinic",
        visible_to_client=False,
    )
    return series.occurrences.order_by("series_start").first()


def _sign_in(client, request, role):
    if role == "anonymous":
        return
    person = request.getfixturevalue(ROLE_FIXTURES[role])
    client.force_login(person if role == "guardian" else person.user)


# (case, method, url name, takes the target's UUID, POST data, statuses by role).
# Anonymous visitors always go to the login page and portal guardians always get
# 403, so only the staff roles are listed.
CASES = [
    ("list", "get", "scheduling:appointment_list", False, None, (403, 200, 200, 200)),
    (
        "create",
        "get",
        "scheduling:appointment_create",
        False,
        None,
        (403, 200, 200, 200),
    ),
    (
        "detail",
        "get",
        "scheduling:appointment_detail",
        True,
        None,
        (403, 200, 200, 404),
    ),
    ("edit", "get", "scheduling:appointment_edit", True, None, (403, 200, 200, 404)),
    ("cancel", "post", "scheduling:appointment_cancel", True, {}, (403, 302, 302, 404)),
    (
        "cancel-get",
        "get",
        "scheduling:appointment_cancel",
        True,
        None,
        (403, 405, 405, 405),
    ),
    (
        "outcome",
        "post",
        "scheduling:appointment_outcome",
        True,
        {"status": "completed"},
        (403, 302, 302, 404),
    ),
    ("unhide", "post", "scheduling:appointment_unhide", True, {}, (403, 302, 302, 404)),
    (
        "unhide-following",
        "post",
        "scheduling:appointment_unhide_following",
        True,
        {},
        (403, 302, 302, 404),
    ),
    (
        "bulk",
        "post",
        "scheduling:appointment_unhide_bulk",
        False,
        "select",
        (403, 200, 200, 302),
    ),
    (
        "settings",
        "get",
        "scheduling:settings_additional",
        False,
        None,
        (403, 403, 200, 200),
    ),
    (
        "settings-post",
        "post",
        "scheduling:settings_additional",
        False,
        {"allow_hiding": "no"},
        (403, 403, 302, 302),
    ),
    ("groups", "get", "permissions:group_list", False, None, (403, 403, 200, 200)),
]
STAFF_ROLES = ["plain", "scheduler", "administrator", "other_administrator"]

MATRIX = [
    pytest.param(method, name, takes_id, data, role, expected, id=f"{case}-{role}")
    for case, method, name, takes_id, data, statuses in CASES
    for role, expected in [
        ("anonymous", 302),
        ("guardian", 403),
        *zip(STAFF_ROLES, statuses, strict=True),
    ]
]


@pytest.mark.parametrize(
    ("method", "name", "takes_id", "data", "role", "expected"), MATRIX
)
def test_access_matrix(
    client, request, organization, target, method, name, takes_id, data, role, expected
):
    _sign_in(client, request, role)
    url = reverse(name, args=[target.public_id] if takes_id else [])
    if data == "select":
        data = {"selected": [str(target.public_id)]}

    response = getattr(client, method)(url, data or {})

    assert response.status_code == expected
    if role == "anonymous":
        assert response.url.startswith(reverse("account_login"))
    # Whoever was turned away, or works for another practice, changed nothing here.
    if role not in ("scheduler", "administrator") or expected in (403, 404, 405):
        target.refresh_from_db()
        assert target.visible_to_client is False
        assert target.status == Status.SCHEDULED
        assert SchedulingSettings.objects.get(organization=organization).allow_hiding
        assert not VisibilityChange.objects.filter(organization=organization).exists()


def test_forbidden_page_uses_the_project_template(client, plain_staff):
    client.force_login(plain_staff.user)

    response = client.get(reverse("scheduling:appointment_list"))

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]


def test_inactive_staff_member_is_turned_away(client, scheduler_staff):
    scheduler_staff.is_active = False
    scheduler_staff.save()
    client.force_login(scheduler_staff.user)

    response = client.get(reverse("scheduling:appointment_list"))

    assert response.status_code == 403


# htmx requests the door turns away: the whole page moves, never a row.


def test_htmx_request_after_sign_out_sends_the_page_to_sign_in(client, target):
    page = "http://testserver/staff/scheduling/?visibility=hidden"

    response = client.post(
        reverse("scheduling:appointment_unhide", args=[target.public_id]),
        headers={"HX-Request": "true", "HX-Current-URL": page},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == (
        reverse("account_login") + "?next=/staff/scheduling/%3Fvisibility%3Dhidden"
    )
    assert response.content == b""
    target.refresh_from_db()
    assert target.visible_to_client is False
    assert not VisibilityChange.objects.exists()


@pytest.mark.parametrize(
    "current", [None, "https://elsewhere.example.test/staff/scheduling/"]
)
def test_htmx_sign_in_goes_back_only_to_a_page_of_this_site(client, target, current):
    headers = {"HX-Request": "true"}
    if current:
        headers["HX-Current-URL"] = current

    response = client.post(
        reverse("scheduling:appointment_unhide", args=[target.public_id]),
        headers=headers,
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("account_login")
    target.refresh_from_db()
    assert target.visible_to_client is False


@pytest.mark.parametrize("role", ["manager", "guardian"])
def test_htmx_request_without_the_permission_reloads_the_page_with_a_message(
    client, organization, guardian, target, role
):
    if role == "manager":
        member = factories.staff_with(organization, "manage_scheduling")
        client.force_login(member.user)
    else:
        client.force_login(guardian)

    response = client.post(
        reverse("scheduling:appointment_unhide", args=[target.public_id]),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    target.refresh_from_db()
    assert target.visible_to_client is False
    assert not VisibilityChange.objects.exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You do not have permission to do that."
    ]


def test_forbidden_message_shows_on_the_reloaded_page(client, organization, target):
    member = factories.staff_with(organization, "manage_scheduling")
    client.force_login(member.user)
    client.post(
        reverse("scheduling:appointment_unhide", args=[target.public_id]),
        headers={"HX-Request": "true"},
    )

    reloaded = client.get(reverse("scheduling:appointment_list"))

    assert reloaded.status_code == 200
    assert "You do not have permission to do that." in reloaded.content.decode()


def test_nav_shows_only_what_the_member_may_use(client, scheduler_staff, admin_staff):
    settings_url = reverse("scheduling:settings_additional")
    groups_url = reverse("permissions:group_list")

    client.force_login(scheduler_staff.user)
    as_scheduler = client.get(reverse("scheduling:appointment_list")).content.decode()
    client.force_login(admin_staff.user)
    as_admin = client.get(reverse("scheduling:appointment_list")).content.decode()

    assert reverse("scheduling:appointment_create") in as_scheduler
    assert settings_url not in as_scheduler
    assert groups_url not in as_scheduler
    assert settings_url in as_admin
    assert groups_url in as_admin


def test_other_organizations_rows_never_appear_in_the_list(
    client, organization, other_organization, scheduler_staff
):
    ours = factories.AppointmentFactory(
        client=factories.ClientFactory(organization=organization, last_name="Ourside")
    )
    theirs = factories.AppointmentFactory(
        client=factories.ClientFactory(
            organization=other_organization, last_name="Theirside"
        ),
        visible_to_client=False,
    )
    client.force_login(scheduler_staff.user)

    response = client.get(reverse("scheduling:appointment_list"), {"visibility": "all"})

    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert rows == [ours]
    body = response.content.decode()
    assert "Theirside" not in body
    assert str(theirs.public_id) not in body


def test_permission_groups_page_lists_groups_permissions_and_members(
    client, organization, other_organization, admin_staff
):
    member = factories.staff_with(organization, "manage_scheduling", last_name="Okafor")
    factories.staff_with(other_organization, "manage_scheduling", last_name="Elsewhere")
    client.force_login(admin_staff.user)

    response = client.get(reverse("permissions:group_list"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Administrators" in body
    assert "Hidden Contacts" in body
    assert "Hide Employee from Client Portal" in body
    assert member.full_name in body
    assert admin_staff.full_name in body
    assert "Elsewhere" not in body
    groups = [group for group, _labels in response.context["rows"]]
    assert all(group.organization_id == organization.pk for group in groups)


def test_list_query_count_does_not_grow_with_rows(
    client, organization, scheduler_staff, django_assert_max_num_queries
):
    def appointment(visible):
        return factories.AppointmentFactory(
            client=factories.ClientFactory(organization=organization),
            visible_to_client=visible,
        )

    appointment(False)
    client.force_login(scheduler_staff.user)
    url = reverse("scheduling:appointment_list")
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(url).status_code == 200
    for number in range(29):
        appointment(number % 2 == 0)

    with django_assert_max_num_queries(len(one_row)):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 30
    assert Appointment.objects.filter(organization=organization).count() == 30


def test_a_form_sent_after_sign_out_returns_to_its_page_and_says_so(
    client, client_record
):
    hidden = factories.AppointmentFactory(client=client_record, visible_to_client=False)
    list_page = "http://testserver" + reverse("scheduling:appointment_list")

    response = client.post(
        reverse("scheduling:appointment_unhide", args=[hidden.public_id]),
        HTTP_REFERER=list_page + "?visibility=hidden",
    )

    assert response.status_code == 302
    login = reverse("account_login")
    assert response.url.startswith(login)
    assert "next=/staff/scheduling/%3Fvisibility%3Dhidden" in response.url
    hidden.refresh_from_db()
    assert hidden.visible_to_client is False
    followed = client.get(response.url)
    assert b"You were signed out, so nothing was saved." in followed.content


def test_a_form_sent_after_sign_out_from_elsewhere_returns_home(client, client_record):
    hidden = factories.AppointmentFactory(client=client_record, visible_to_client=False)

    response = client.post(
        reverse("scheduling:appointment_unhide", args=[hidden.public_id]),
        HTTP_REFERER="https://elsewhere.example/page",
    )

    assert response.status_code == 302
    assert response.url.endswith("next=/")
