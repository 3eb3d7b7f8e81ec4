import pytest
from django.urls import reverse

from permissions.models import Permission
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
