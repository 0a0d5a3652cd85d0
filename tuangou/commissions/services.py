"""Commission ledger: entries only, never an edited balance (see CommissionEntry)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django_q.tasks import async_task

from tuangou.audit.approvals import approval_gate, approval_policy
from tuangou.audit.services import audit_record
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.money import apply_rate_bp, format_fen
from tuangou.core.states import StateMachine, event_record
from tuangou.core.transactions import after_commit, outside_transaction
from tuangou.leaders.models import Leader

from .hooks import withdrawal_paid
from .models import CommissionEntry, Withdrawal

E = CommissionEntry
W = Withdrawal.Status
# action -> (from, to): the withdrawal state machine.
WITHDRAWAL = StateMachine(
    {
        "approve": ({W.REQUESTED}, W.APPROVED),
        "reject": ({W.REQUESTED, W.APPROVED}, W.REJECTED),
        "mark_paid": ({W.APPROVED}, W.PAID),
        # WeChat Pay merchant transfer (WITHDRAWAL_PAYOUT = "wechat_transfer"): sent after approval,
        # finished by its notify or the query job.
        "transfer": ({W.APPROVED}, W.TRANSFERRING),
        "transfer_succeed": ({W.TRANSFERRING}, W.PAID),
        "transfer_fail": ({W.TRANSFERRING}, W.FAILED),
    }
)
# WeChat Pay's fail_reason codes, said for people (others are shown as the code).
TRANSFER_FAIL_REASONS = {
    "ACCOUNT_NOT_EXIST": "收款微信账户不存在或未实名",
    "NAME_NOT_CORRECT": "收款人姓名与微信实名不一致",
    "EXCEED_PAYEE_ACCOUNT_LIMIT": "超出收款人的收款限额",
    "ACCOUNT_FROZEN": "收款微信账户已冻结",
    "TRANSFER_RISK": "微信支付风控拦截",
    "PAYEE_ACCOUNT_ABNORMAL": "收款账户异常",
    "CANCELLED": "团长未在微信中确认收款，转账已撤销",  # not confirmed within 24 hours
}
TRANSFER_WAIT_USER_CONFIRM = "WAIT_USER_CONFIRM"  # the leader confirms receipt in WeChat (确认收款)
TRANSFER_FAILED_STATES = {"FAIL", "CANCELLED"}
TRANSFER_IN_FLIGHT_AFTER = timedelta(minutes=2)
# WeChat Pay wants the payee's real name (RSA-encrypted) from 2,000元 up; we send none, so a
# larger withdrawal is refused at approval rather than failed by the gateway.
TRANSFER_MAX_FEN = 200000 - 1
SETTLE_BATCH = 500


@transaction.atomic
def commission_accrue_for_order(*, order) -> list[CommissionEntry]:
    """At pickup: the leader earns each line's rate on what was paid and not refunded.

    Held in `pending` until the shop's after-sales window closes. Safe to call twice: a line
    that already accrued is skipped (and a unique constraint backs that up).
    """
    already = set(E.objects.filter(order=order, kind=E.Kind.ACCRUAL).values_list("order_line_id", flat=True))
    settle_after = timezone.now() + timedelta(days=order.shop.after_sales_days)
    entries = []
    for line in order.lines.all():
        if line.id in already:
            continue
        amount = apply_rate_bp(line.amount_fen - line.refunded_fen, line.commission_rate_bp)
        if amount <= 0:
            continue
        entries.append(
            E(
                shop_id=order.shop_id,
                leader_id=order.leader_id,
                kind=E.Kind.ACCRUAL,
                bucket=E.Bucket.PENDING,
                amount_fen=amount,
                order=order,
                order_line=line,
                settle_after=settle_after,
                note=f"订单{order.number} {line.product_name}×{line.quantity - line.refunded_quantity}",
            )
        )
    return E.objects.bulk_create(entries)


@transaction.atomic
def commission_reverse_for_refund(*, order, refunded_fen_by_line: dict[int, int]) -> list[CommissionEntry]:
    """A refund takes back the commission earned on the refunded money, from whichever bucket
    holds it now (pending before settlement, withdrawable after). Lines that never accrued
    (refunded before pickup) have nothing to take back.

    The accrual row is locked, as the settlement job locks it, so a refund and a settlement of
    the same line never both read "not settled yet" and leave pending below zero.
    """
    entries = []
    for line_id, refunded_fen in sorted(refunded_fen_by_line.items()):
        if refunded_fen <= 0:
            continue
        accrued = (
            E.objects.select_for_update()
            .select_related("order_line")
            .filter(shop_id=order.shop_id, order_line_id=line_id, kind=E.Kind.ACCRUAL)
            .first()
        )
        if accrued is None:
            continue
        line_entries = E.objects.filter(order_line_id=line_id)
        settled = line_entries.filter(kind=E.Kind.SETTLEMENT).exists()
        bucket = E.Bucket.WITHDRAWABLE if settled else E.Bucket.PENDING
        already_reversed = -(line_entries.filter(kind=E.Kind.REVERSAL).aggregate(total=Sum("amount_fen"))["total"] or 0)
        amount = min(
            apply_rate_bp(refunded_fen, accrued.order_line.commission_rate_bp), accrued.amount_fen - already_reversed
        )
        if amount <= 0:
            continue
        entries.append(
            E(
                shop_id=order.shop_id,
                leader_id=accrued.leader_id,
                kind=E.Kind.REVERSAL,
                bucket=bucket,
                amount_fen=-amount,
                order=order,
                order_line_id=line_id,
                note=f"订单{order.number}退款冲回",
            )
        )
    return E.objects.bulk_create(entries)


def _due_accrual_ids(now, *, after_id: int, limit: int) -> list[int]:
    return list(
        E.objects.filter(kind=E.Kind.ACCRUAL, settle_after__lte=now, id__gt=after_id)
        .exclude(order_line__commission_entries__kind=E.Kind.SETTLEMENT)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


@transaction.atomic
def commission_settle_batch(*, accrual_ids: list[int]) -> int:
    """Settle these due accruals: for each line, move accrual + reversals so far from pending to
    withdrawable as one (settlement_out −net, settlement +net) pair. Returns lines settled.

    Rows another job holds are skipped (SKIP LOCKED); after taking the locks the settled lines
    are read again, so a job that raced with another one finds them done and writes nothing.
    """
    locked = list(
        E.objects.select_for_update(skip_locked=True)
        .filter(id__in=accrual_ids, kind=E.Kind.ACCRUAL)
        .order_by("id")
        .values("id", "shop_id", "leader_id", "order_id", "order_line_id", "amount_fen")
    )
    line_ids = [row["order_line_id"] for row in locked]
    settled = set(
        E.objects.filter(order_line_id__in=line_ids, kind=E.Kind.SETTLEMENT).values_list("order_line_id", flat=True)
    )
    reversed_by_line = dict(
        E.objects.filter(order_line_id__in=line_ids, kind=E.Kind.REVERSAL)
        .values("order_line_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("order_line_id", "total")
    )
    entries = []
    for row in locked:
        if row["order_line_id"] in settled:
            continue
        net = row["amount_fen"] + (reversed_by_line.get(row["order_line_id"]) or 0)
        common = {
            "shop_id": row["shop_id"],
            "leader_id": row["leader_id"],
            "order_id": row["order_id"],
            "order_line_id": row["order_line_id"],
        }
        # A fully reversed line still gets its (zero) pair, so the job never looks at it again.
        entries.append(
            E(
                kind=E.Kind.SETTLEMENT_OUT,
                bucket=E.Bucket.PENDING,
                amount_fen=-net,
                note="售后期结束，转出待结算",
                **common,
            )
        )
        entries.append(
            E(
                kind=E.Kind.SETTLEMENT,
                bucket=E.Bucket.WITHDRAWABLE,
                amount_fen=net,
                note="售后期结束，转入可提现",
                **common,
            )
        )
    E.objects.bulk_create(entries)
    return len(entries) // 2


def commissions_settle_due(*, now=None, batch_size: int = SETTLE_BATCH) -> int:
    """Settle every accrual whose after-sales window has closed, in batches of their own
    transactions (a long backlog never holds one huge lock). Returns lines settled."""
    now = now or timezone.now()
    total, after_id = 0, 0
    while ids := _due_accrual_ids(now, after_id=after_id, limit=batch_size):
        total += commission_settle_batch(accrual_ids=ids)
        after_id = ids[-1]
    return total


# --- withdrawals ------------------------------------------------------------------------


def _withdrawable_fen(leader_id: int) -> int:
    return (
        E.objects.filter(leader_id=leader_id, bucket=E.Bucket.WITHDRAWABLE).aggregate(total=Sum("amount_fen"))["total"]
        or 0
    )


@transaction.atomic
def withdrawal_request(*, leader: Leader, amount_fen: int, account: str = "") -> Withdrawal:
    """A leader asks to be paid out. The amount leaves `withdrawable` at once (a WITHDRAWAL
    entry), so it cannot be asked for twice; the leader row lock serialises two requests."""
    leader = Leader.objects.select_for_update().get(pk=leader.pk)
    if amount_fen <= 0:
        raise ApplicationError("validation", field="amount_fen", field_label="withdrawal_amount", reason="positive")
    available = _withdrawable_fen(leader.id)
    if available < 0:
        raise ApplicationError("balance_offset_pending", field="amount_fen", owed=format_fen(-available))
    if amount_fen > available:
        raise ApplicationError("balance_insufficient", field="amount_fen", available=format_fen(available))
    withdrawal = Withdrawal.objects.create(
        shop_id=leader.shop_id, leader=leader, amount_fen=amount_fen, account=account.strip()
    )
    E.objects.create(
        shop_id=leader.shop_id,
        leader=leader,
        kind=E.Kind.WITHDRAWAL,
        bucket=E.Bucket.WITHDRAWABLE,
        amount_fen=-amount_fen,
        withdrawal=withdrawal,
        note=f"提现申请#{withdrawal.id}",
    )
    event_record(
        withdrawal, type="requested", to_status=W.REQUESTED, actor=leader.user, data={"amount_fen": amount_fen}
    )
    return withdrawal


def _locked_withdrawal(shop, withdrawal_id: int) -> Withdrawal:
    withdrawal = Withdrawal.objects.select_for_update().filter(shop=shop, pk=withdrawal_id).first()
    if withdrawal is None:
        raise NotFound("提现申请", "Withdrawal")
    return withdrawal


def _payout_by_transfer() -> bool:
    return settings.WITHDRAWAL_PAYOUT == "wechat_transfer"


def _leader_openid(withdrawal: Withdrawal) -> str:
    from tuangou.accounts.models import WechatIdentity

    # The openid under the app id the shop's transfer goes out with (its own merchant's, or the platform's).
    app_id = _transfer_provider(withdrawal.shop_id).appid
    return (
        WechatIdentity.objects.filter(user_id=withdrawal.leader.user_id, app_id=app_id)
        .order_by("-last_login_at", "-id")
        .values_list("openid", flat=True)
        .first()
        or ""
    )


@transaction.atomic
def withdrawal_approve(*, shop, withdrawal_id: int, actor) -> Withdrawal:
    """Finance approves. With WeChat transfers configured, the same transaction records the
    transfer (a stable out_bill_no, status transferring) and, after COMMIT, a job sends it; a
    leader WeChat cannot reach (no openid under our app id) is refused with a 409 and nothing changes."""
    withdrawal = _locked_withdrawal(shop, withdrawal_id)
    WITHDRAWAL.check(withdrawal, "approve")
    over_fen = approval_policy(shop).withdrawal_over_fen
    approval_gate(
        needed=over_fen is not None and withdrawal.amount_fen > over_fen,
        shop=shop,
        actor=actor,
        action="withdrawal.approve",
        permission="withdrawals.manage",
        payload={"withdrawal_id": withdrawal.pk},
        summary=f"批准提现#{withdrawal.pk} {format_fen(withdrawal.amount_fen)}",
        amount_fen=withdrawal.amount_fen,
    )
    before = {"status": withdrawal.status}
    transfer = _payout_by_transfer()
    if transfer and withdrawal.amount_fen > TRANSFER_MAX_FEN:
        raise ApplicationError(
            "transfer_amount_too_large", status=409, field="amount_fen", maximum=format_fen(TRANSFER_MAX_FEN)
        )
    if transfer and not _leader_openid(withdrawal):
        raise ApplicationError("leader_openid_missing", status=409, field="leader")
    WITHDRAWAL.apply(withdrawal, "approve", actor=actor, changes={"reviewed_by": actor, "reviewed_at": timezone.now()})
    if transfer:
        WITHDRAWAL.apply(withdrawal, "transfer", actor=actor, changes={"out_bill_no": f"WD{withdrawal.id:010d}"})
        after_commit(lambda: async_task("tuangou.commissions.tasks.withdrawal_transfer_send", withdrawal.id))
    _audit(withdrawal, actor, "withdrawal.approve", before)
    return withdrawal


def _audit(withdrawal: Withdrawal, actor, action: str, before: dict, **after) -> None:
    target = ("withdrawal", withdrawal.pk, f"提现#{withdrawal.pk} {format_fen(withdrawal.amount_fen)}")
    after = {"status": withdrawal.status, "amount_fen": withdrawal.amount_fen, **after}
    audit_record(shop=withdrawal.shop_id, actor=actor, action=action, target=target, before=before, after=after)


@transaction.atomic
def withdrawal_reject(*, shop, withdrawal_id: int, actor, reason: str) -> Withdrawal:
    """Finance refuses (also after approving, e.g. the account was wrong): the amount goes back
    to withdrawable as a WITHDRAWAL_RETURN entry."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("required", field="reason", field_label="reject_reason")
    withdrawal = _locked_withdrawal(shop, withdrawal_id)
    before = {"status": withdrawal.status}
    WITHDRAWAL.apply(
        withdrawal,
        "reject",
        actor=actor,
        changes={"reason": reason, "reviewed_by": actor, "reviewed_at": timezone.now()},
        reason=reason,
    )
    E.objects.create(
        shop_id=withdrawal.shop_id,
        leader_id=withdrawal.leader_id,
        kind=E.Kind.WITHDRAWAL_RETURN,
        bucket=E.Bucket.WITHDRAWABLE,
        amount_fen=withdrawal.amount_fen,
        withdrawal=withdrawal,
        note=f"提现申请#{withdrawal.id}被拒绝：{reason}"[:200],
    )
    _audit(withdrawal, actor, "withdrawal.reject", before, reason=reason)
    return withdrawal


@transaction.atomic
def withdrawal_mark_paid(*, shop, withdrawal_id: int, actor) -> Withdrawal:
    withdrawal = _locked_withdrawal(shop, withdrawal_id)
    before = {"status": withdrawal.status}
    WITHDRAWAL.apply(withdrawal, "mark_paid", actor=actor, changes={"paid_by": actor, "paid_at": timezone.now()})
    # After commit, the leader is told (commissions.tasks; a rolled-back action tells nobody).
    transaction.on_commit(lambda: async_task("tuangou.commissions.tasks.withdrawal_paid_notify", withdrawal.id))
    withdrawal_paid(withdrawal=withdrawal)
    _audit(withdrawal, actor, "withdrawal.mark_paid", before)
    return withdrawal


def withdrawal_approve_approved(*, shop, actor, payload: dict) -> Withdrawal:
    """The executor of an approved withdrawal approval (tuangou.audit.approvals)."""
    return withdrawal_approve(shop=shop, withdrawal_id=payload["withdrawal_id"], actor=actor)


# --- payouts by WeChat Pay merchant transfer ------------------------------------------------


def _transfer_provider(shop_id: int):
    """The shop's WeChat Pay: its own payment settings (its merchant, or the platform's sub-merchant
    it is), else the platform's configuration."""
    from tuangou.payments.providers import get_provider

    return get_provider("wechatpay", shop_id=shop_id)


@outside_transaction
def withdrawal_transfer_send(withdrawal_id: int) -> str:
    """Send the withdrawal's transfer (again: the same out_bill_no is the same bill at WeChat Pay,
    so a retry never pays twice), or ask about it when it was sent before; completes it when the
    answer is final. Safe to run twice or at once. Answers the withdrawal's status after it."""
    from tuangou.payments.providers import ProviderUnavailable

    withdrawal = Withdrawal.objects.select_related("leader").filter(pk=withdrawal_id).first()
    if withdrawal is None or withdrawal.status != W.TRANSFERRING:
        return withdrawal.status if withdrawal else ""
    provider = _transfer_provider(withdrawal.shop_id)
    try:
        answer = provider.transfer_query(withdrawal.out_bill_no, withdrawal.shop_id)
        if answer is None:  # WeChat Pay never got it: send it (the same number every time)
            answer = provider.transfer_create(
                {
                    "shop_id": withdrawal.shop_id,
                    "out_bill_no": withdrawal.out_bill_no,
                    "openid": _leader_openid(withdrawal),
                    "amount_fen": withdrawal.amount_fen,
                    "remark": f"团长佣金提现#{withdrawal.id}",
                }
            )
    except ProviderUnavailable:
        return W.TRANSFERRING  # the query job asks again with the same out_bill_no
    return withdrawal_transfer_complete(withdrawal_id=withdrawal.id, answer=answer).status


@transaction.atomic
def withdrawal_transfer_complete(*, withdrawal_id: int, answer: dict) -> Withdrawal:
    """What WeChat Pay said of the transfer (a notify or a query): SUCCESS → paid (the leader is
    told); FAIL / CANCELLED → failed with the reason and the amount back in withdrawable; any
    other state is only noted. The row lock and the status make a second answer a no-op."""
    withdrawal = Withdrawal.objects.select_for_update().get(pk=withdrawal_id)
    if withdrawal.status != W.TRANSFERRING or answer.get("out_bill_no") != withdrawal.out_bill_no:
        return withdrawal
    state = answer.get("state", "")
    changes = {"transfer_state": state}
    if answer.get("transfer_bill_no"):
        changes["transfer_bill_no"] = answer["transfer_bill_no"]
    if state == TRANSFER_WAIT_USER_CONFIRM:  # the package comes with the create answer; a query may omit it
        changes["transfer_package"] = answer.get("package_info") or withdrawal.transfer_package
    else:
        changes["transfer_package"] = ""
    if state == "SUCCESS":
        if answer.get("amount_fen") not in (None, withdrawal.amount_fen):
            raise ApplicationError("notify_invalid", field="amount", reason="amount")
        WITHDRAWAL.apply(withdrawal, "transfer_succeed", changes={**changes, "paid_at": timezone.now()})
        after_commit(lambda: async_task("tuangou.commissions.tasks.withdrawal_paid_notify", withdrawal.id))
        withdrawal_paid(withdrawal=withdrawal)
    elif state in TRANSFER_FAILED_STATES:
        code = answer.get("fail_reason") or state
        reason = f"{TRANSFER_FAIL_REASONS.get(code, '微信转账未成功')}（{code}）"[:200]
        WITHDRAWAL.apply(withdrawal, "transfer_fail", changes={**changes, "reason": reason}, reason=reason)
        E.objects.create(
            shop_id=withdrawal.shop_id,
            leader_id=withdrawal.leader_id,
            kind=E.Kind.WITHDRAWAL_RETURN,
            bucket=E.Bucket.WITHDRAWABLE,
            amount_fen=withdrawal.amount_fen,
            withdrawal=withdrawal,
            note=f"提现申请#{withdrawal.id}转账失败：{reason}"[:200],
        )
        after_commit(lambda: async_task("tuangou.commissions.tasks.withdrawal_failed_notify", withdrawal.id))
    else:
        for name, value in changes.items():
            setattr(withdrawal, name, value)
        withdrawal.save(update_fields=[*changes, "updated_at"])
    return withdrawal


def withdrawal_transfer_notify_receive(*, shop_id: int, headers, body: bytes) -> Withdrawal | None:
    """A MCHTRANSFER.BILL.FINISHED notify: verified over the raw bytes (a bad one raises and
    writes nothing), then completes the shop's withdrawal with that out_bill_no."""
    fields = _transfer_provider(shop_id).verify_transfer_notify(headers, body)
    withdrawal = Withdrawal.objects.filter(shop_id=shop_id, out_bill_no=fields["out_bill_no"]).first()
    if withdrawal is None:
        raise ApplicationError("notify_invalid", field="out_bill_no", reason="out_bill_no")
    return withdrawal_transfer_complete(withdrawal_id=withdrawal.id, answer=fields)


def withdrawal_transfers_sync(*, now=None) -> int:
    """Scheduled: every transfer still in flight a while after it was approved is asked about
    (or sent again with its own out_bill_no), so a lost notify or a failed send never leaves a
    withdrawal transferring for good. Answers how many were looked at."""
    before = (now or timezone.now()) - TRANSFER_IN_FLIGHT_AFTER
    ids = list(
        Withdrawal.objects.filter(status=W.TRANSFERRING, updated_at__lte=before)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for withdrawal_id in ids:
        withdrawal_transfer_send(withdrawal_id)
    return len(ids)


def withdrawal_confirm_params(withdrawal: Withdrawal) -> dict | None:
    """What the leader's H5 passes to WeChat's requestMerchantTransfer (WeixinJSBridge) to
    confirm receipt of a transfer waiting for them: {mch_id, app_id, package}; None otherwise."""
    if withdrawal.status != W.TRANSFERRING or withdrawal.transfer_state != TRANSFER_WAIT_USER_CONFIRM:
        return None
    if not withdrawal.transfer_package:
        return None
    return _transfer_provider(withdrawal.shop_id).transfer_confirm_params(
        withdrawal.shop_id, withdrawal.transfer_package
    )


def withdrawal_transfer_follow(*, leader, withdrawal_id: int) -> Withdrawal:
    """The leader is back from WeChat's confirmation: ask WeChat Pay about the transfer now."""
    withdrawal = Withdrawal.objects.filter(shop_id=leader.shop_id, leader=leader, pk=withdrawal_id).first()
    if withdrawal is None:
        raise NotFound("提现申请", "Withdrawal")
    withdrawal_transfer_send(withdrawal.id)
    return Withdrawal.objects.get(pk=withdrawal.pk)
