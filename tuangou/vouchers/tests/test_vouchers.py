import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tuangou.audit.models import AuditRecord
from tuangou.core.errors import ApplicationError
from tuangou.core.testing import ok
from tuangou.orders.tests.factories import login, paid_order, staff_login
from tuangou.vouchers import services
from tuangou.vouchers.models import Redemption, RedemptionStore, VoucherCode

from .world import given_service_campaign

pytestmark = pytest.mark.django_db


def console(world, path):
    return f"console/shops/{world.shop.id}/{path}"


def test_paying_for_two_services_issues_two_codes_the_member_sees_on_the_order():
    world = given_service_campaign(uses=3, valid_days=30)
    order = paid_order(world, 2)

    codes = ok(login(world.member).get(f"shops/{world.shop.id}/orders/{order.id}/vouchers"))

    assert [(c["uses_total"], c["uses_left"], c["status"], c["expired"]) for c in codes] == [
        (3, 3, "active", False),
        (3, 3, "active", False),
    ]
    assert all(len(c["code"]) == 12 and c["code"].isdigit() for c in codes)
    assert codes[0]["code"] != codes[1]["code"]
    assert (codes[0]["valid_until"] is not None) and codes[0]["product_name"] == order.lines.get().product_name


def test_another_member_cannot_read_the_codes():
    world = given_service_campaign()
    order = paid_order(world)
    other = given_service_campaign(kind="voucher", uses=1)  # another shop's member
    response = login(other.member).get(f"shops/{world.shop.id}/orders/{order.id}/vouchers")
    assert response.status_code == 404


def test_a_physical_order_issues_no_code():
    world = given_service_campaign(kind="physical")
    paid_order(world)
    assert VoucherCode.objects.count() == 0


def test_staff_redeem_two_of_three_uses_then_only_one_is_left():
    world = given_service_campaign(uses=3)
    order = paid_order(world)
    code = VoucherCode.objects.get(order=order).code
    support = staff_login(world.shop, "support")

    first = ok(support.post(console(world, "vouchers/redeem"), {"code": f"{code[:4]} {code[4:]}", "uses": 2}))
    too_many = support.post(console(world, "vouchers/redeem"), {"code": code, "uses": 2})
    last = ok(support.post(console(world, "vouchers/redeem"), {"code": code, "uses": 1}))
    again = support.post(console(world, "vouchers/redeem"), {"code": code, "uses": 1})

    assert (first["voucher"]["uses_left"], first["redemption"]["uses"]) == (1, 2)
    assert (too_many.status_code, too_many.json()["code"], too_many.json()["field"]) == (
        409,
        "voucher_uses_too_many",
        "uses",
    )
    assert "仅剩1次" in too_many.json()["message"]
    assert (last["voucher"]["uses_left"], last["voucher"]["status"]) == (0, "used_up")
    assert (again.status_code, again.json()["code"]) == (409, "voucher_used_up")
    assert list(Redemption.objects.values_list("uses", "uses_left_after", "actor_id")) == [
        (1, 0, support.user.id),
        (2, 1, support.user.id),
    ]
    assert AuditRecord.objects.filter(action="voucher.redeem").count() == 2


def test_an_unknown_code_is_a_404_on_the_code_and_redeems_nothing():
    world = given_service_campaign()
    paid_order(world)
    response = staff_login(world.shop).post(console(world, "vouchers/redeem"), {"code": "000000000000"})
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        404,
        "voucher_code_invalid",
        "code",
    )
    assert Redemption.objects.count() == 0


def test_a_code_of_another_shop_is_unknown_here():
    world = given_service_campaign()
    other = given_service_campaign()
    code = VoucherCode.objects.get(order=paid_order(other)).code
    paid_order(world)
    response = staff_login(world.shop).post(console(world, "vouchers/redeem"), {"code": code})
    assert response.json()["code"] == "voucher_code_invalid"


def test_an_expired_code_and_one_not_yet_valid_are_refused():
    world = given_service_campaign(uses=1)
    order = paid_order(world, 2)
    expired, early = VoucherCode.objects.filter(order=order)
    VoucherCode.objects.filter(pk=expired.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    VoucherCode.objects.filter(pk=early.pk).update(valid_from=timezone.now() + timedelta(days=1))
    owner = staff_login(world.shop)

    assert owner.post(console(world, "vouchers/redeem"), {"code": expired.code}).json()["code"] == "voucher_expired"
    assert owner.post(console(world, "vouchers/redeem"), {"code": early.code}).json()["code"] == "voucher_not_yet_valid"
    assert Redemption.objects.count() == 0


def test_fixed_dates_run_whole_days_in_the_shops_time_zone():
    from datetime import date

    world = given_service_campaign(valid_from=date(2026, 1, 1), valid_until=date(2026, 1, 31))
    voucher = VoucherCode.objects.get(order=paid_order(world))
    assert voucher.valid_from.isoformat() == "2025-12-31T16:00:00+00:00"
    assert voucher.valid_until.isoformat() == "2026-01-31T16:00:00+00:00"


def test_a_partner_store_opens_its_link_with_the_pin_and_redeems():
    world = given_service_campaign(uses=2)
    code = VoucherCode.objects.get(order=paid_order(world)).code
    owner = staff_login(world.shop)
    store = ok(owner.post(console(world, "voucher-stores"), {"name": "万达店", "pin": "2468"}), 201)
    base = f"redeem/{store['link_token']}"
    anonymous = type(owner)()

    wrong = anonymous.post(f"{base}/session", {"pin": "1111"})
    session = ok(anonymous.post(f"{base}/session", {"pin": "2468"}))
    seen = ok(anonymous.post(f"{base}/lookup", {"pin": "2468", "code": code}))
    redeemed = ok(anonymous.post(f"{base}/redeem", {"pin": "2468", "code": code, "uses": 1}))

    assert (wrong.status_code, wrong.json()["code"]) == (403, "store_pin_invalid")
    assert session["name"] == "万达店"
    assert (seen["uses_left"], "*" in seen["member_name"] or len(seen["member_name"]) <= 1) == (2, True)
    assert (redeemed["voucher"]["uses_left"], redeemed["redemption"]["store_name"]) == (1, "万达店")
    record = Redemption.objects.get()
    assert (record.store.name, record.actor_id) == ("万达店", None)
    assert RedemptionStore.objects.get().pin_hash != "2468"


def test_a_new_link_stops_the_old_one():
    world = given_service_campaign()
    owner = staff_login(world.shop)
    store = ok(owner.post(console(world, "voucher-stores"), {"name": "万达店", "pin": "2468"}), 201)
    renewed = ok(owner.patch(console(world, f"voucher-stores/{store['id']}"), {"new_link": True}))
    old = type(owner)().post(f"redeem/{store['link_token']}/session", {"pin": "2468"})
    assert renewed["link_token"] != store["link_token"]
    assert old.json()["code"] == "store_pin_invalid"


@pytest.mark.parametrize("pin", ["12", "abcd", "123456789", "１２３４"])
def test_a_pin_is_4_to_8_digits(pin):
    world = given_service_campaign()
    response = staff_login(world.shop).post(console(world, "voucher-stores"), {"name": "店", "pin": pin})
    assert response.status_code in (400, 422)
    assert response.json()["field"] == "pin"
    assert RedemptionStore.objects.count() == 0


def test_only_unredeemed_units_are_refunded_and_their_codes_are_void():
    world = given_service_campaign(uses=3)
    order = paid_order(world, 2)
    used, untouched = VoucherCode.objects.filter(order=order).order_by("id")
    services.voucher_redeem(shop=world.shop, code=used.code, uses=1)
    finance = staff_login(world.shop, "finance")
    line = order.lines.get()

    everything = finance.post(console(world, f"orders/{order.id}/refund"), {"reason": "不想要了"})
    one = ok(
        finance.post(
            console(world, f"orders/{order.id}/refund"),
            {"reason": "不想要了", "lines": [{"line_id": line.id, "quantity": 1}]},
        )
    )
    second = finance.post(
        console(world, f"orders/{order.id}/refund"), {"reason": "x", "lines": [{"line_id": line.id, "quantity": 1}]}
    )

    assert (everything.status_code, everything.json()["code"], everything.json()["field"]) == (
        409,
        "voucher_refund_used",
        "lines.0.quantity",
    )
    assert one["refunded_fen"] == 9900
    assert second.json()["code"] == "voucher_refund_used"
    assert dict(VoucherCode.objects.values_list("pk", "status")) == {used.pk: "active", untouched.pk: "void"}
    void = staff_login(world.shop).post(console(world, "vouchers/redeem"), {"code": untouched.code})
    assert void.json()["code"] == "voucher_void"


def test_the_console_lists_codes_with_masked_phones_and_finds_one_by_code():
    world = given_service_campaign()
    order = paid_order(world, 2)
    code = VoucherCode.objects.filter(order=order).first().code
    body = ok(staff_login(world.shop, "support").get(console(world, f"vouchers?q={code}")))
    assert [item["code"] for item in body["items"]] == [code]
    assert "****" in body["items"][0]["member_phone"]
    assert body["items"][0]["order_number"] == order.number


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_redeems_of_the_last_use_at_once_one_wins(require_postgres):
    world = given_service_campaign(uses=1)
    code = VoucherCode.objects.get(order=paid_order(world)).code
    start = threading.Barrier(2)
    outcomes, lock = [], threading.Lock()

    def redeem():
        try:
            start.wait()
            services.voucher_redeem(shop=world.shop, code=code, uses=1)
            outcome = "redeemed"
        except ApplicationError as error:
            outcome = error.code
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["redeemed", "voucher_used_up"]
    assert Redemption.objects.count() == 1
    assert VoucherCode.objects.get().uses_left == 0


def test_service_lines_stay_off_the_purchase_summary():
    from tuangou.fulfilment import selectors as sheets
    from tuangou.orders.tests.factories import CampaignItemFactory

    world = given_service_campaign()
    eggs = CampaignItemFactory(campaign=world.campaign, price_fen=1290)
    order = orders_place(world, [(world.item, 1), (eggs, 2)])
    from tuangou.orders.tests.factories import pay

    pay(order)
    order.__class__.objects.filter(pk=order.pk).update(status="confirmed")  # the campaign succeeded

    summary = sheets.purchase_summary(campaign=world.campaign)
    assert [(item["sku_id"], item["quantity"]) for item in summary["items"]] == [(eggs.sku_id, 2)]


def orders_place(world, wanted):
    from tuangou.orders import services as orders

    return orders.order_place(
        shop=world.shop,
        member=world.member,
        campaign_id=world.campaign.id,
        items=[{"campaign_item_id": item.id, "quantity": quantity} for item, quantity in wanted],
    )


def test_a_store_guessing_codes_runs_out_of_attempts_and_finding_one_costs_none():
    world = given_service_campaign()
    code = VoucherCode.objects.get(order=paid_order(world)).code
    store = services.store_create(shop=world.shop, actor=None, name="万达店", pin="2468")
    for _ in range(services.MISSES_ALLOWED - 1):
        with pytest.raises(ApplicationError):
            services.voucher_find(shop=world.shop, code="123456789012", store=store)
    assert services.voucher_find(shop=world.shop, code=code, store=store).code == code  # no attempt spent
    with pytest.raises(ApplicationError):
        services.voucher_find(shop=world.shop, code="123456789013", store=store)
    blocked = pytest.raises(ApplicationError, services.voucher_find, shop=world.shop, code=code, store=store)
    assert (blocked.value.code, blocked.value.status) == ("rate_limited", 429)


def test_a_voucher_only_order_has_no_pickup_code_nor_goods_for_the_member_or_the_console():
    world = given_service_campaign(kind="voucher", uses=1)
    order = paid_order(world, 2)

    mine = ok(login(world.member).get(f"shops/{world.shop.id}/orders/{order.id}"))
    listed = ok(login(world.member).get(f"shops/{world.shop.id}/orders"))
    staff = staff_login(world.shop, "support")
    detail = ok(staff.get(console(world, f"orders/{order.id}")))
    codes = ok(staff.get(console(world, f"orders/{order.id}/vouchers")))

    assert (mine["has_goods"], mine["pickup_code"]) == (False, None)
    assert [(row["id"], row["has_goods"], row["pickup_code"]) for row in listed["items"]] == [(order.id, False, None)]
    assert (detail["has_goods"], detail["pickup_code"]) == (False, None)
    assert sorted(c["code"] for c in codes) == sorted(
        VoucherCode.objects.filter(order=order).values_list("code", flat=True)
    )
    assert [(c["uses_left"], c["status"]) for c in codes] == [(1, "active"), (1, "active")]


def test_a_mixed_order_shows_both_its_pickup_code_and_its_voucher_codes():
    from tuangou.orders.tests.factories import CampaignItemFactory, pay

    world = given_service_campaign(kind="voucher", uses=1)
    eggs = CampaignItemFactory(campaign=world.campaign, price_fen=1290)
    order = orders_place(world, [(world.item, 1), (eggs, 2)])
    pay(order)
    order.refresh_from_db()

    mine = ok(login(world.member).get(f"shops/{world.shop.id}/orders/{order.id}"))
    detail = ok(staff_login(world.shop).get(console(world, f"orders/{order.id}")))
    codes = ok(login(world.member).get(f"shops/{world.shop.id}/orders/{order.id}/vouchers"))

    assert (mine["has_goods"], mine["pickup_code"]) == (True, order.pickup_code)
    assert (detail["has_goods"], detail["pickup_code"]) == (True, order.pickup_code)
    assert len(codes) == 1


def test_the_console_reads_only_its_own_shops_order_vouchers():
    world = given_service_campaign(kind="voucher", uses=1)
    order = paid_order(world)
    other = given_service_campaign(kind="voucher", uses=1)

    response = staff_login(other.shop).get(f"console/shops/{other.shop.id}/orders/{order.id}/vouchers")

    assert response.status_code == 404
