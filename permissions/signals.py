"""Every organization has its built-in permission groups from the moment it exists."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Organization
from permissions.services import ensure_built_in_groups


@receiver(post_save, sender=Organization, dispatch_uid="built_in_groups")
def create_built_in_groups(
    sender: type[Organization], instance: Organization, created: bool, **kwargs: Any
) -> None:
    if created:
        ensure_built_in_groups(instance)
