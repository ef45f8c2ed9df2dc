"""Fixtures for station management: an organisation with its staff member, logged in."""
import pytest

from tests.accounts.helpers import log_in


@pytest.fixture
def organisation(make_organisation):
    return make_organisation("河东区总工会")


@pytest.fixture
def staff(make_user, organisation):
    return make_user("staff", organisation_id=organisation.id, language="en")


@pytest.fixture
def staff_client(client, staff):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # messages asserted in English
    log_in(client, staff)
    return client
