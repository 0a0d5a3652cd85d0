import pytest

from tuangou.accounts.testing import ApiClient
from tuangou.shops.tests.factories import PASSWORD, StaffFactory


@pytest.fixture
def staff_client(db):
    """A logged-in staff member of a new shop, for any role: `client, staff = staff_client("owner")`."""

    def make(role: str = "owner", shop=None):
        staff = StaffFactory(role=role, **({"shop": shop} if shop else {}))
        client = ApiClient()
        client.login_password(staff.user.username, PASSWORD)
        return client, staff

    return make
