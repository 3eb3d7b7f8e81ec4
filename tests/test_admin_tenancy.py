"""Tenant rows and logins in the Django admin: refusals are form errors, not 500s."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.admin import TenantAdminForm, TenantAdminMixin
from accounts.models import CareTeamMember, Client, StaffMember, User
from permissions.admin import MembershipInline
from tests import factories


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        email="platform@example.test", password=factories.PASSWORD
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _tenant_admins():
    """Every admin page of a model that belongs to one organization."""
    return [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model is not User
        and any(field.name == "organization" for field in model._meta.fields)
    ]


def test_every_tenant_admin_fixes_the_organization_once_a_row_exists(superuser):
    request = RequestFactory().get("/")
    request.user = superuser
    admins = _tenant_admins()

    assert len(admins) == 10
    for model_admin in admins:
        assert isinstance(model_admin, TenantAdminMixin), model_admin
        assert issubclass(model_admin.form, TenantAdminForm), model_admin
        row = model_admin.model()
        assert "organization" in model_admin.get_readonly_fields(request, row)
    assert issubclass(MembershipInline.form, TenantAdminForm)


def test_a_client_stays_in_its_organization(
    admin_client, organization, other_organization
):
    record = factories.ClientFactory(organization=organization, first_name="Ada")
    url = reverse("admin:accounts_client_change", args=[record.pk])

    page = admin_client.get(url)
    response = admin_client.post(
        url,
        {
            "organization": other_organization.pk,
            "first_name": "Adele",
            "last_name": record.last_name,
            "date_of_birth": "2018-05-01",
            "is_active": "on",
        },
    )

    assert page.status_code == 200
    assert 'name="organization"' not in page.content.decode()
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.organization == organization
    assert record.first_name == "Adele"


def test_a_service_stays_in_its_organization_and_keeps_names_unique(
    admin_client, organization, other_organization
):
    factories.ServiceFactory(organization=organization, name="Speech therapy")
    service = factories.ServiceFactory(organization=organization, name="ABA therapy")
    url = reverse("admin:scheduling_service_change", args=[service.pk])

    moved = admin_client.post(
        url, {"organization": other_organization.pk, "name": "ABA"}
    )
    taken = admin_client.post(url, {"name": "Speech therapy"})

    assert moved.status_code == 302
    assert taken.status_code == 200
    assert taken.context["adminform"].form.errors["name"] == [
        "This practice already offers a service with this name."
    ]
    service.refresh_from_db()
    assert service.organization == organization
    assert service.name == "ABA"


def test_a_care_team_row_takes_only_its_organizations_client_and_staff(
    admin_client, organization, other_organization
):
    their_client = factories.ClientFactory(organization=other_organization)
    their_staff = factories.StaffFactory(organization=other_organization)

    response = admin_client.post(
        reverse("admin:accounts_careteammember_add"),
        {
            "organization": organization.pk,
            "client": their_client.pk,
            "staff": their_staff.pk,
            "role": CareTeamMember.Role.BCBA,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["client"] == [f"{their_client} belongs to another organization."]
    assert errors["staff"] == [f"{their_staff} belongs to another organization."]
    assert not CareTeamMember.objects.exists()


def test_a_care_team_row_of_one_organization_is_added(admin_client, organization):
    record = factories.ClientFactory(organization=organization)
    staff = factories.StaffFactory(organization=organization)

    response = admin_client.post(
        reverse("admin:accounts_careteammember_add"),
        {
            "organization": organization.pk,
            "client": record.pk,
            "staff": staff.pk,
            "role": CareTeamMember.Role.BCBA,
        },
    )

    assert response.status_code == 302
    row = CareTeamMember.objects.get()
    assert (row.organization, row.client, row.staff) == (organization, record, staff)


def test_a_staff_record_takes_only_a_login_of_its_organization(
    admin_client, organization, other_organization
):
    their_login = factories.UserFactory(organization=other_organization)

    response = admin_client.post(
        reverse("admin:accounts_staffmember_add"),
        {
            "organization": organization.pk,
            "user": their_login.pk,
            "first_name": "Sam",
            "last_name": "Lee",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"] == [
        f"{their_login} belongs to another organization."
    ]
    assert not StaffMember.objects.filter(user=their_login).exists()


def test_portal_access_takes_only_its_organizations_client(
    admin_client, organization, other_organization
):
    login = factories.UserFactory(organization=organization)
    their_client = factories.ClientFactory(organization=other_organization)

    response = admin_client.post(
        reverse("admin:accounts_portalaccess_add"),
        {
            "organization": organization.pk,
            "user": login.pk,
            "client": their_client.pk,
            "relationship": "parent",
            "granted_at_0": "2026-01-05",
            "granted_at_1": "10:00:00",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["client"] == [
        f"{their_client} belongs to another organization."
    ]
    assert not Client.objects.get(pk=their_client.pk).portal_access.exists()


def _user_data(user, **changes):
    data = {
        "email": user.email,
        "organization": user.organization_id or "",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "10:00:00",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("link", ["staff", "portal_access", "revoked_access"])
def test_a_linked_login_keeps_its_organization(
    admin_client, organization, other_organization, link
):
    if link == "staff":
        login = factories.StaffFactory(organization=organization).user
    else:
        access = factories.PortalAccessFactory(
            client=factories.ClientFactory(organization=organization)
        )
        if link == "revoked_access":
            access.revoked_at = access.granted_at
            access.save()
        login = access.user
    url = reverse("admin:accounts_user_change", args=[login.pk])

    page = admin_client.get(url)
    moved = admin_client.post(
        url, _user_data(login, organization=other_organization.pk, first_name="Kim")
    )
    cleared = admin_client.post(
        url, _user_data(login, organization="", first_name="Kim")
    )

    assert page.status_code == 200
    assert 'name="organization"' not in page.content.decode()
    assert "The organization is fixed" in page.content.decode()
    assert moved.status_code == cleared.status_code == 302
    login.refresh_from_db()
    assert login.organization == organization
    assert login.first_name == "Kim"


def test_a_login_with_no_staff_record_or_access_can_change_organization(
    admin_client, organization, other_organization
):
    login = factories.UserFactory(organization=organization)
    url = reverse("admin:accounts_user_change", args=[login.pk])

    response = admin_client.post(
        url, _user_data(login, organization=other_organization.pk)
    )

    assert response.status_code == 302
    login.refresh_from_db()
    assert login.organization == other_organization


def test_a_new_login_differing_only_in_case_is_refused(admin_client, organization):
    factories.UserFactory(organization=organization, email="new.person@example.test")

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.TEST",
            "organization": organization.pk,
            "usable_password": "true",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "A login with this e-mail address already exists."
    ]
    assert User.objects.filter(email__iexact="new.person@example.test").count() == 1


def test_changing_an_address_to_anothers_in_other_case_is_refused(
    admin_client, organization
):
    factories.UserFactory(organization=organization, email="taken@example.test")
    login = factories.UserFactory(organization=organization, email="mine@example.test")
    url = reverse("admin:accounts_user_change", args=[login.pk])

    response = admin_client.post(url, _user_data(login, email="TAKEN@example.test"))
    own = admin_client.post(url, _user_data(login, email="Mine@Example.test"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "A login with this e-mail address already exists."
    ]
    assert own.status_code == 302
    login.refresh_from_db()
    assert login.email == "mine@example.test"
