import pytest
from django.test import Client
from django.urls import reverse

from permissions.models import Permission
from scheduling.models import Appointment
from tests import factories


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("permission", "expected"),
    [
        (Permission.MANAGE_SCHEDULING, "scheduling:appointment_list"),
        (Permission.CHANGE_SCHEDULING_SETTINGS, "scheduling:settings_additional"),
        (Permission.MANAGE_PERMISSION_GROUPS, "permissions:group_list"),
    ],
)
def test_staff_land_on_the_first_page_they_may_use(
    client, organization, permission, expected
):
    staff = factories.staff_with(organization, permission)
    client.force_login(staff.user)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == reverse(expected)


@pytest.mark.django_db
def test_staff_without_permissions_get_a_page_not_an_error(client, plain_staff):
    client.force_login(plain_staff.user)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert b"no staff permissions yet" in response.content


@pytest.mark.django_db
def test_portal_users_go_to_the_portal(client, guardian):
    client.force_login(guardian)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == reverse("portal:home")


@pytest.mark.django_db
def test_strangers_are_asked_to_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_a_stale_htmx_post_reloads_the_page_and_changes_nothing(guardian):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(guardian)
    hidden = factories.AppointmentFactory(visible_to_client=False)

    response = strict.post(
        reverse("scheduling:appointment_unhide", args=[hidden.public_id]),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert not Appointment.objects.get(pk=hidden.pk).visible_to_client


@pytest.mark.django_db
def test_a_stale_form_explains_itself(guardian):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(guardian)

    response = strict.post(reverse("account_logout"))

    assert response.status_code == 403
    assert b"This page has expired" in response.content
