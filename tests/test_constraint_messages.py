"""Constraints that forms and the admin check before saving speak plainly."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from permissions.models import PermissionGroup
from tests import factories


@pytest.mark.django_db
def test_an_e_mail_differing_only_in_case_is_named_as_taken(guardian):
    twin = User(email=guardian.email.upper(), organization=guardian.organization)

    with pytest.raises(ValidationError) as refused:
        twin.validate_constraints()

    assert refused.value.messages == [
        "A login with this e-mail address already exists."
    ]


@pytest.mark.django_db
def test_a_second_group_of_the_same_name_is_named_as_taken(organization):
    factories.PermissionGroupFactory(organization=organization, name="Front desk")
    twin = PermissionGroup(organization=organization, name="Front desk")

    with pytest.raises(ValidationError) as refused:
        twin.validate_constraints()

    assert refused.value.messages == [
        "This practice already has a group with this name."
    ]
