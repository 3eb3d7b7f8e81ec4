"""Every organization has scheduling settings from the moment it exists."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Organization
from scheduling.models import SchedulingSettings


@receiver(post_save, sender=Organization, dispatch_uid="scheduling_settings")
def create_scheduling_settings(
    sender: type[Organization], instance: Organization, created: bool, **kwargs: Any
) -> None:
    if created:
        SchedulingSettings.objects.get_or_create(organization=instance)
