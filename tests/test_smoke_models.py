import pytest
from django.db import IntegrityError, transaction

from tests import factories


@pytest.mark.django_db
def test_visible_appointment_cannot_be_hidden_by_save():
    appointment = factories.AppointmentFactory(visible_to_client=True)

    appointment.visible_to_client = False
    with pytest.raises(IntegrityError), transaction.atomic():
        appointment.save()

    appointment.refresh_from_db()
    assert appointment.visible_to_client is True
