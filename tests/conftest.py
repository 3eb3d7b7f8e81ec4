import pytest
from django.core.cache import cache

from tests import factories


@pytest.fixture(autouse=True)
def empty_cache(db):
    """Rate-limit counters live in the cache; one test's failures must not
    lock the next test's login out (Redis keeps them between runs)."""
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests hash hundreds of passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organization(db):
    return factories.OrganizationFactory(display_name="Bright Steps Therapy")


@pytest.fixture
def other_organization(db):
    return factories.OrganizationFactory(display_name="Elsewhere Speech Clinic")


@pytest.fixture
def admin_staff(organization):
    return factories.administrator(organization)


@pytest.fixture
def scheduler_staff(organization):
    return factories.scheduler(organization)


@pytest.fixture
def plain_staff(organization):
    """A staff member in no group: may sign in, may do nothing."""
    return factories.StaffFactory(organization=organization)


@pytest.fixture
def client_record(organization):
    return factories.ClientFactory(organization=organization)


@pytest.fixture
def guardian_access(client_record):
    return factories.PortalAccessFactory(client=client_record)


@pytest.fixture
def guardian(guardian_access):
    return guardian_access.user
