"""Issue 8: reconciliation (对账) of WeChat Pay's trade bill with our payments and refunds, against
the local simulator (simulators/wechatpay), on PostgreSQL. The simulator writes the real bill
(backtick fields, summary lines, gzip, SHA1) from the trades it holds; bill faults inject mismatches."""

import csv
import io
from datetime import datetime, timedelta

import pytest

from tuangou.core.testing import ok
from tuangou.orders.tests.factories import given_live_campaign, given_member, login, place, staff_login
from tuangou.payments import reconciliation
from tuangou.payments.models import Payment, ReconciliationMismatch, ReconciliationRun, Refund, ShopPaymentSettings
from tuangou.payments.providers import get_provider
from tuangou.payments.providers.wechatpay import parse_trade_bill

from .alipay_world import given_alipay
from .alipay_world import pay_on_the_page as alipay_pay_on_the_page
from .alipay_world import to_our_server as alipay_to_our_server
from .wechatpay_world import MCHID, SUB_MCHID, given_wechatpay, to_our_server

pytestmark = [pytest.mark.postgres]
TODAY = lambda: datetime.now(reconciliation.CST).date()  # noqa: E731 — the simulator's trades are today's


@pytest.fixture
def wechat(settings, require_postgres):
    world = given_wechatpay(settings)
    world.sim.bill_today_allowed = True  # the bill of the day the test's orders were paid
    yield world
    world.sim.stop()


def pay_an_order(wechat, world, member, quantity=1):
    order = place(world, quantity, member=member)
    started = ok(login(member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
    payment = Payment.objects.get(pk=started["payment_id"])
    wechat.sim.pay(payment.out_trade_no)
    wechat.sim.deliver_all(to_our_server)
    return order, payment


def given_a_day_of_orders(wechat):
    """Three members pay (¥12.90, ¥25.80, ¥38.70); staff refund ¥12.90 of the second order."""
    world = given_live_campaign(stock=50, price_fen=1290)
    members = [world.member, given_member(world.shop, world.leader), given_member(world.shop, world.leader)]
    paid = [pay_an_order(wechat, world, member, quantity) for quantity, member in enumerate(members, start=1)]
    finance = staff_login(world.shop, role="finance")
    order = paid[1][0]
    ok(
        finance.post(
            f"console/shops/{world.shop.id}/orders/{order.id}/refund", {"reason": "少一件", "amount_fen": 1290}
        )
    )
    assert wechat.sim.refunds_settle() == 1
    wechat.sim.deliver_all(to_our_server)
    assert Refund.objects.get(order=order).status == "succeeded"
    return world, finance, [payment for _, payment in paid]


def mismatches(run) -> list[tuple]:
    return sorted(
        ReconciliationMismatch.objects.filter(run=run).values_list("kind", "subject", "out_trade_no", "status")
    )


def test_the_bill_matches_after_a_day_of_orders(wechat):
    world, finance, payments = given_a_day_of_orders(wechat)

    run = reconciliation.reconciliation_run(shop=world.shop, bill_date=TODAY())

    assert (run.status, run.open_mismatches, run.error) == ("matched", 0, "")
    assert (run.bill_payments, run.bill_payments_fen, run.our_payments, run.our_payments_fen) == (3, 7740, 3, 7740)
    assert (run.bill_refunds, run.bill_refunds_fen, run.our_refunds, run.our_refunds_fen) == (1, 1290, 1, 1290)
    assert mismatches(run) == []
    listed = ok(finance.get(f"console/shops/{world.shop.id}/reconciliation/runs"))
    assert [(r["bill_date"], r["status_label"], r["open_mismatches"]) for r in listed["items"]] == [
        (TODAY().isoformat(), "已平", 0)
    ]


def test_the_bill_file_is_wechat_pays_format_gzip_and_sha1_checked(wechat):
    world, _, payments = given_a_day_of_orders(wechat)

    raw = wechat.sim.bill(MCHID, TODAY().isoformat())
    rows = get_provider("wechatpay").trade_bill(TODAY(), world.shop.id)

    lines = raw.decode().splitlines()
    assert lines[0].startswith("交易时间,公众账号ID,商户号,特约商户号,")
    assert lines[1].startswith("`") and ",`" in lines[1]
    assert lines[-2].startswith("总交易单数,") and lines[-1] == "`4,`77.40,`12.90,`0.00,`0.38700,`77.40,`12.90"
    assert rows == parse_trade_bill(raw)
    assert sorted((r["kind"], r["out_trade_no"], r["amount_fen"], r["state"]) for r in rows) == sorted(
        [("payment", p.out_trade_no, p.amount_fen, "SUCCESS") for p in payments]
        + [("refund", payments[1].out_trade_no, 1290, "SUCCESS")]
    )
    assert [r["method"] + " " + r["path"] for r in wechat.sim.requests[-2:]] == [
        "GET /v3/bill/tradebill",
        "GET /v3/billdownload/file",
    ]


def test_injected_mismatches_are_each_found_and_a_lost_notify_is_synced(wechat):
    world, finance, payments = given_a_day_of_orders(wechat)
    wechat.sim.fault("lost")  # a fourth payment's notify never arrives: our payment stays open
    _, unnotified = pay_an_order(wechat, world, given_member(world.shop, world.leader))
    assert Payment.objects.get(pk=unnotified.pk).status == "created"
    for fault in ("bill_drop", "bill_amount", "bill_extra", "bill_refund_state"):
        wechat.sim.fault(fault)

    run = reconciliation.reconciliation_run(shop=world.shop, bill_date=TODAY())

    refund = Refund.objects.get(payment=payments[1])
    stranger = ReconciliationMismatch.objects.get(run=run, kind="missing_ours", status="open")
    dropped, bumped = payments[0], payments[1]  # the bill's first trade is dropped, the next booked 1 fen more
    assert stranger.out_trade_no.startswith("PAYSTRANGER") and stranger.bill_amount_fen == 1234
    assert mismatches(run) == sorted(
        [
            ("missing_theirs", "payment", dropped.out_trade_no, "open"),
            ("amount", "payment", bumped.out_trade_no, "open"),
            ("missing_ours", "payment", stranger.out_trade_no, "open"),
            ("missing_ours", "payment", unnotified.out_trade_no, "resolved"),  # asked at once: the notify was lost
            ("state", "refund", refund.payment.out_trade_no, "open"),
        ]
    )
    amount = ReconciliationMismatch.objects.get(run=run, kind="amount")
    assert (amount.bill_amount_fen, amount.our_amount_fen) == (bumped.amount_fen + 1, bumped.amount_fen)
    state = ReconciliationMismatch.objects.get(run=run, kind="state")
    assert (state.bill_state, state.our_state, state.out_refund_no) == (
        "REFUNDCLOSE",
        "succeeded",
        refund.out_refund_no,
    )
    synced = ReconciliationMismatch.objects.get(run=run, out_trade_no=unnotified.out_trade_no)
    assert synced.note.startswith("已向渠道查询补单")
    assert Payment.objects.get(pk=unnotified.pk).status == "succeeded"
    assert (run.status, run.open_mismatches) == ("mismatched", 4)

    # Finance resolves one with a note, exports the run; a second run (the faults were one-off) clears the rest.
    shop = world.shop.id
    resolved = ok(
        finance.post(
            f"console/shops/{shop}/reconciliation/mismatches/{stranger.id}/resolve", {"note": "非本平台交易，已核实"}
        )
    )
    assert (resolved["status"], resolved["note"], resolved["resolved_by"]) == (
        "resolved",
        "非本平台交易，已核实",
        finance.user.name,
    )
    again = finance.post(f"console/shops/{shop}/reconciliation/mismatches/{stranger.id}/resolve", {"note": "再次"})
    assert (again.status_code, again.json()["code"]) == (409, "mismatch_resolved")
    listed = ok(finance.get(f"console/shops/{shop}/reconciliation/runs/{run.id}/mismatches", {"status": "open"}))
    assert {m["kind_label"] for m in listed["items"]} == {"状态不符", "渠道缺失", "金额不符"}
    exported = finance.get(f"console/shops/{shop}/reconciliation/runs/{run.id}/export.csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert exported["Content-Type"].startswith("text/csv")
    assert table[0][:4] == ["账单日期", "差异类型", "对象", "商户订单号"] and len(table) == 6
    assert ["金额不符", "支付", bumped.out_trade_no] == table[1 + [r[3] for r in table[1:]].index(bumped.out_trade_no)][
        1:4
    ]

    rerun = reconciliation.reconciliation_run(shop=world.shop, bill_date=TODAY())

    assert rerun.pk == run.pk and rerun.open_mismatches == 0
    assert ReconciliationMismatch.objects.filter(run=run, note="重新对账已平").count() == 3
    assert ReconciliationMismatch.objects.get(pk=stranger.pk).note == "非本平台交易，已核实"  # kept


def test_a_bill_that_does_not_match_its_hash_fails_the_run_and_changes_nothing_then_the_daily_job_retries(wechat):
    world, _, _ = given_a_day_of_orders(wechat)
    wechat.sim.fault("bill_bad_hash")

    run = reconciliation.reconciliation_run(shop=world.shop, bill_date=TODAY())

    assert (run.status, ReconciliationMismatch.objects.count()) == ("failed", 0)
    assert "does not match its hash" in run.error

    # The daily job (after 10:00 Beijing) reconciles yesterday: a failed run is tried again.
    tomorrow = datetime.combine(TODAY() + timedelta(days=1), datetime.min.time(), tzinfo=reconciliation.CST)
    assert reconciliation.reconciliation_daily(now=tomorrow + timedelta(hours=9)) == {"runs": 0, "failed": 0}
    assert reconciliation.reconciliation_daily(now=tomorrow + timedelta(hours=11)) == {"runs": 1, "failed": 0}
    assert ReconciliationRun.objects.get(pk=run.pk).status == "matched"
    assert reconciliation.reconciliation_daily(now=tomorrow + timedelta(hours=12)) == {"runs": 0, "failed": 0}


def test_a_day_without_trades_has_no_bill_and_matches_empty(wechat):
    world = given_live_campaign()
    finance = staff_login(world.shop, role="finance")
    yesterday = TODAY() - timedelta(days=1)

    run = ok(finance.post(f"console/shops/{world.shop.id}/reconciliation/runs", {"bill_date": yesterday.isoformat()}))

    assert (run["status"], run["bill_payments"], run["our_payments"]) == ("matched", 0, 0)
    assert wechat.sim.requests[-1]["code"] == "NO_STATEMENT_EXIST"


@pytest.mark.parametrize("bill_date", ["today", "2020-01-01", "tomorrow"])
def test_a_bill_date_outside_the_last_three_months_is_refused_by_field(wechat, bill_date):
    world = given_live_campaign()
    finance = staff_login(world.shop, role="finance")
    day = {"today": TODAY(), "tomorrow": TODAY() + timedelta(days=1)}.get(bill_date, bill_date)

    response = finance.post(f"console/shops/{world.shop.id}/reconciliation/runs", {"bill_date": str(day)})

    assert (response.status_code, response.json()["field"]) == (400, "bill_date")
    assert ReconciliationRun.objects.count() == 0


def test_only_finance_and_owners_see_reconciliation(wechat):
    world = given_live_campaign()
    support = staff_login(world.shop, role="support")

    response = support.get(f"console/shops/{world.shop.id}/reconciliation/runs")

    assert response.status_code == 403


def test_the_bill_parser_refuses_a_cut_off_file():
    header = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
    line = "`2026-01-01 10:00:00,`wx1,`1900000109,`0,`,`4200,`PAY1,`o1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`1.00,`0.00,`0,`0,`0.00,`0.00,`,`,`苹果, 红富士,`,`0.00600,`0.60%,`1.00,`0.00,`"
    summary = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"

    rows = parse_trade_bill(
        f"{header}\r\n{line}\r\n{summary}\r\n`1,`1.00,`0.00,`0.00,`0.00600,`1.00,`0.00\r\n".encode()
    )

    assert [(r["out_trade_no"], r["amount_fen"]) for r in rows] == [("PAY1", 100)]  # a comma inside a name is fine
    with pytest.raises(ValueError, match="says 2 trades"):
        parse_trade_bill(f"{header}\n{line}\n{summary}\n`2,`2.00,`0.00,`0.00,`0.0,`2.00,`0.00\n".encode())
    with pytest.raises(ValueError, match="summary"):
        parse_trade_bill(f"{header}\n{line}\n".encode())


# --- Alipay (alipay.data.dataservice.bill.downloadurl.query → a zipped GBK CSV) ---------------


@pytest.fixture
def alipay(settings, require_postgres):
    world = given_alipay(settings)
    world.sim.bill_today_allowed = True
    yield world
    world.sim.stop()


def test_the_alipay_bill_matches_after_a_day_of_orders_and_a_booked_amount_is_found(alipay):
    world = given_live_campaign(stock=50, price_fen=1290)
    members = [world.member, given_member(world.shop, world.leader)]
    payments = []
    for quantity, member in enumerate(members, start=1):
        order = place(world, quantity, member=member)
        started = ok(login(member).post(f"shops/{world.shop.id}/orders/{order.id}/pay"))
        alipay_pay_on_the_page(started["pay_url"])
        payments.append(Payment.objects.get(pk=started["payment_id"]))
    alipay.sim.deliver_all(alipay_to_our_server)
    finance = staff_login(world.shop, role="finance")
    ok(
        finance.post(
            f"console/shops/{world.shop.id}/orders/{payments[1].order_id}/refund",
            {"reason": "少一件", "amount_fen": 1290},
        )
    )

    run = reconciliation.reconciliation_run(shop=world.shop, bill_date=TODAY(), provider_name="alipay")

    assert (run.status, run.error) == ("matched", "")
    assert (run.bill_payments, run.bill_payments_fen, run.bill_refunds, run.bill_refunds_fen) == (2, 3870, 1, 1290)
    assert (run.our_payments, run.our_payments_fen, run.our_refunds, run.our_refunds_fen) == (2, 3870, 1, 1290)

    alipay.sim.fault("bill_amount")
    again = reconciliation.reconciliation_run(shop=world.shop, bill_date=TODAY(), provider_name="alipay")

    assert mismatches(again) == [("amount", "payment", payments[0].out_trade_no, "open")]


def test_a_shop_on_the_sandbox_has_no_bill_to_reconcile(settings, require_postgres):
    settings.PAYMENT_PROVIDER = "sandbox"
    world = given_live_campaign()
    finance = staff_login(world.shop, role="finance")
    yesterday = TODAY() - timedelta(days=1)

    response = finance.post(f"console/shops/{world.shop.id}/reconciliation/runs", {"bill_date": yesterday.isoformat()})

    assert (response.status_code, response.json()["code"]) == (409, "reconciliation_unsupported")
    assert ReconciliationRun.objects.count() == 0


def test_a_shop_that_is_a_sub_merchant_by_its_payment_settings_is_reconciled_with_its_own_bill(
    settings, require_postgres
):
    partner = given_wechatpay(settings, mode="partner")  # the platform's configuration names no shop
    partner.sim.bill_today_allowed = True
    try:
        world = given_live_campaign(price_fen=1290)
        ShopPaymentSettings.objects.create(
            shop=world.shop, provider="wechatpay", wechatpay_mode="partner", wechatpay_sub_mchid=SUB_MCHID
        )
        pay_an_order(partner, world, world.member, quantity=2)

        run = reconciliation.reconciliation_run(shop=world.shop, bill_date=TODAY())

        assert (run.status, run.error, run.bill_payments_fen, run.our_payments_fen) == ("matched", "", 2580, 2580)
    finally:
        partner.sim.stop()


def test_the_console_reconciles_the_gateway_the_shop_chose_in_its_settings_not_the_platforms(
    settings, require_postgres
):
    partner = given_wechatpay(settings, mode="partner")
    settings.PAYMENT_PROVIDER = "sandbox"  # the platform's default; this shop is a WeChat Pay sub-merchant
    try:
        world = given_live_campaign()
        ShopPaymentSettings.objects.create(
            shop=world.shop, provider="wechatpay", wechatpay_mode="partner", wechatpay_sub_mchid=SUB_MCHID
        )
        finance = staff_login(world.shop, role="finance")
        yesterday = str(TODAY() - timedelta(days=1))

        run = ok(finance.post(f"console/shops/{world.shop.id}/reconciliation/runs", {"bill_date": yesterday}))
        refused = finance.post(
            f"console/shops/{world.shop.id}/reconciliation/runs", {"bill_date": yesterday, "provider": "alipay"}
        )

        assert (run["provider"], run["status"]) == ("wechatpay", "matched")  # no trades that day: an empty bill
        assert partner.sim.requests[-1]["code"] == "NO_STATEMENT_EXIST"
        assert (refused.status_code, refused.json()["field"]) == (409, "provider")  # not a gateway of this shop
        assert ReconciliationRun.objects.count() == 1
    finally:
        partner.sim.stop()


def test_one_shops_unusable_settings_fail_its_run_and_the_daily_job_goes_on_to_the_next_shop(wechat):
    broken, fine = given_live_campaign(), given_live_campaign()
    for world in (broken, fine):
        pay_an_order(wechat, world, world.member)
    # A sub-merchant of a platform that is no longer a service provider: no provider can be built for it.
    ShopPaymentSettings.objects.create(
        shop=broken.shop, provider="wechatpay", wechatpay_mode="partner", wechatpay_sub_mchid=SUB_MCHID
    )
    tomorrow = datetime.now(reconciliation.CST) + timedelta(days=1)

    counts = reconciliation.reconciliation_daily(now=tomorrow.replace(hour=12))

    assert counts == {"runs": 2, "failed": 1}
    runs = dict(ReconciliationRun.objects.values_list("shop_id", "status"))
    assert runs == {broken.shop.id: "failed", fine.shop.id: "matched"}
    assert ReconciliationRun.objects.get(shop=broken.shop).error  # says why, for the console
