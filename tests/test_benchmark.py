from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Organization
from scheduling.models import Appointment, VisibilityChange


@pytest.mark.django_db
def test_the_benchmark_reports_figures_and_leaves_nothing_behind():
    output = StringIO()

    call_command("benchmark", clients=2, weeks=1, repeat=2, stdout=output)

    report = output.getvalue()
    assert "GET /portal/" in report
    assert "bulk unhide" in report
    assert "Rolled back" in report
    assert not Organization.objects.exists()
    assert not Appointment.objects.exists()
    assert not VisibilityChange.objects.exists()
