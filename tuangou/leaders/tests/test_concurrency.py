import threading

import pytest
from django.db import connection

from tuangou.leaders.models import Leader, LeaderApplication
from tuangou.leaders.tests.factories import LeaderApplicationFactory, staff_client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_for_one_community_let_exactly_one_through(require_postgres):
    owner, shop = staff_client()
    admin, _ = staff_client(shop=shop, role="admin")
    applications = [LeaderApplicationFactory(shop=shop, community="海韵花园") for _ in range(2)]
    start = threading.Barrier(2)
    statuses = []

    def approve(client, application):
        try:
            start.wait()
            response = client.post(f"console/shops/{shop.id}/leader-applications/{application.id}/approve", {})
            statuses.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=pair) for pair in zip((owner, admin), applications)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses, key=lambda s: s[0]) == [(201, None), (409, "community_taken")]
    assert Leader.objects.filter(shop=shop).count() == 1
    assert LeaderApplication.objects.filter(shop=shop, status="pending").count() == 1
