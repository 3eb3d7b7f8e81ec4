"""Permission groups in the Django admin: refusals are form errors, never a 500."""

import pytest
from django.urls import reverse

from accounts.models import User
from permissions.models import (
    ADMINISTRATOR_PERMISSIONS,
    BuiltIn,
    GroupMembership,
    Permission,
    PermissionGroup,
)
from permissions.services import add_member, built_in_group
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


def _group_data(group=None, *, members=(), new_members=(), **changes):
    """The change form as the admin posts it: existing member rows, then new ones."""
    data = {
        "name": group.name if group else "",
        "description": group.description if group else "",
        "permissions": list(group.permissions) if group else [],
        "memberships-TOTAL_FORMS": str(len(members) + len(new_members)),
        "memberships-INITIAL_FORMS": str(len(members)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, membership in enumerate(members):
        data[f"memberships-{index}-id"] = membership.pk
        data[f"memberships-{index}-group"] = membership.group_id
        data[f"memberships-{index}-staff"] = membership.staff_id
    for index, staff in enumerate(new_members, start=len(members)):
        data[f"memberships-{index}-staff"] = staff.pk
    data.update(changes)
    return data


def _change_url(group):
    return reverse("admin:permissions_permissiongroup_change", args=[group.pk])


def _member_errors(response):
    formset = response.context["inline_admin_formsets"][0].formset
    return [str(e) for form in formset.forms for e in form.errors.get("staff", [])]


@pytest.mark.parametrize(
    ("built_in", "permissions", "message"),
    [
        (
            BuiltIn.HIDDEN_CONTACTS,
            [],
            "The Hidden Contacts group always keeps: Hide Employee from Client Portal.",
        ),
        (
            BuiltIn.HIDDEN_CONTACTS,
            [Permission.MANAGE_SCHEDULING],
            "The Hidden Contacts group always keeps: Hide Employee from Client Portal.",
        ),
        (
            BuiltIn.ADMINISTRATORS,
            [p for p in ADMINISTRATOR_PERMISSIONS if p != Permission.READ_AUDIT_LOG],
            "The Administrators group always keeps: Read the audit log.",
        ),
    ],
)
def test_built_in_group_keeps_its_defining_permissions(
    admin_client, organization, built_in, permissions, message
):
    group = built_in_group(organization, built_in)
    before = list(group.permissions)

    response = admin_client.post(
        _change_url(group), _group_data(group, permissions=permissions)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["permissions"] == [message]
    group.refresh_from_db()
    assert group.permissions == before


def test_hidden_contacts_may_gain_a_permission_and_a_new_name(
    admin_client, organization
):
    group = built_in_group(organization, BuiltIn.HIDDEN_CONTACTS)
    permissions = [Permission.HIDE_FROM_PORTAL, Permission.MANAGE_SCHEDULING]

    response = admin_client.post(
        _change_url(group),
        _group_data(group, name="Not shown to clients", permissions=permissions),
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Not shown to clients"
    assert group.permissions == permissions
    assert group.built_in == BuiltIn.HIDDEN_CONTACTS


def test_renaming_to_a_name_taken_in_the_same_organization_is_refused(
    admin_client, organization
):
    factories.PermissionGroupFactory(organization=organization, name="Front desk")
    group = factories.PermissionGroupFactory(organization=organization, name="Desk")

    response = admin_client.post(
        _change_url(group), _group_data(group, name="Front desk")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [
        "This practice already has a group with this name."
    ]
    group.refresh_from_db()
    assert group.name == "Desk"


def test_a_name_taken_only_in_another_organization_is_free(
    admin_client, organization, other_organization
):
    factories.PermissionGroupFactory(organization=other_organization, name="Front desk")
    group = factories.PermissionGroupFactory(organization=organization, name="Desk")

    response = admin_client.post(
        _change_url(group), _group_data(group, name="Front desk")
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Front desk"


def test_adding_a_member_already_in_the_group_is_refused(admin_client, organization):
    group = factories.PermissionGroupFactory(organization=organization)
    staff = factories.StaffFactory(organization=organization)
    membership = add_member(group, staff)

    response = admin_client.post(
        _change_url(group),
        _group_data(group, new_members=[staff], description="Changed"),
    )
    listed_twice = admin_client.post(
        _change_url(group),
        _group_data(group, members=[membership], new_members=[staff]),
    )

    assert response.status_code == listed_twice.status_code == 200
    assert _member_errors(response) == [f"{staff} is already in this group."]
    assert f"{staff} is already in this group." in listed_twice.content.decode()
    assert list(group.memberships.all()) == [membership]
    group.refresh_from_db()
    assert group.description == ""


def test_two_rows_for_one_new_member_are_refused(admin_client, organization):
    group = factories.PermissionGroupFactory(organization=organization)
    staff = factories.StaffFactory(organization=organization)

    response = admin_client.post(
        _change_url(group), _group_data(group, new_members=[staff, staff])
    )

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == [f"{staff} is listed twice."]
    assert not group.memberships.exists()


def test_a_new_group_is_added_with_its_members_in_one_go(admin_client, organization):
    first = factories.StaffFactory(organization=organization)
    second = factories.StaffFactory(organization=organization)

    response = admin_client.post(
        reverse("admin:permissions_permissiongroup_add"),
        _group_data(
            organization=organization.pk,
            name="Front desk",
            permissions=[Permission.MANAGE_SCHEDULING],
            new_members=[first, second],
        ),
    )

    assert response.status_code == 302
    group = PermissionGroup.objects.get(organization=organization, name="Front desk")
    assert group.permissions == [Permission.MANAGE_SCHEDULING]
    memberships = GroupMembership.objects.filter(group=group)
    assert {m.staff for m in memberships} == {first, second}
    assert {m.organization for m in memberships} == {organization}


def test_a_new_group_refuses_a_member_of_another_organization(
    admin_client, organization, other_organization
):
    stranger = factories.StaffFactory(organization=other_organization)

    response = admin_client.post(
        reverse("admin:permissions_permissiongroup_add"),
        _group_data(
            organization=organization.pk, name="Front desk", new_members=[stranger]
        ),
    )

    assert response.status_code == 200
    assert _member_errors(response) == [f"{stranger} belongs to another organization."]
    assert not PermissionGroup.objects.filter(name="Front desk").exists()
    assert not GroupMembership.objects.filter(staff=stranger).exists()


def test_a_member_is_removed_but_never_swapped_for_another(admin_client, organization):
    group = factories.PermissionGroupFactory(organization=organization)
    kept = add_member(group, factories.StaffFactory(organization=organization))
    removed = add_member(group, factories.StaffFactory(organization=organization))
    someone_else = factories.StaffFactory(organization=organization)
    data = _group_data(group, members=[kept, removed])
    # A crafted value for an existing row is ignored: the field is disabled.
    data["memberships-0-staff"] = someone_else.pk
    data["memberships-1-DELETE"] = "on"

    response = admin_client.post(_change_url(group), data)

    assert response.status_code == 302
    assert [m.staff for m in group.memberships.all()] == [kept.staff]
