export const zh = {
  menu: { commissions: "佣金与提现" },
  commissions: {
    withdrawals: "提现审核", perLeader: "团长佣金", leader: "团长", amount: "金额", account: "收款账户", requestedAt: "申请时间", handled: "处理记录",
    status: { requested: "待审核", approved: "已批准待打款", paid: "已打款", rejected: "已拒绝" },
    approve: "批准", reject: "拒绝", markPaid: "标记已打款",
    approveConfirm: "批准 {name} 提现 {amount}？", paidConfirm: "确认已向 {name} 的账户（{account}）打款 {amount}？",
    approvedDone: "已批准，请打款后标记已打款", paidDone: "已标记为已打款", rejectedDone: "已拒绝，金额已退回团长可提现余额",
    rejectTitle: "拒绝 {name} 提现 {amount}", rejectHint: "拒绝后金额退回团长的可提现余额，团长会看到原因。",
    reviewedBy: "{name} 审核于 {at}", paidBy: "{name} 打款于 {at}",
    emptyRequested: "没有待审核的提现申请。团长在团长端申请提现后会出现在这里。", emptyLeaders: "还没有团长。",
    searchPlaceholder: "团长姓名 / 手机号",
    earned: "累计佣金", pending: "待结算", settled: "已结算", withdrawable: "可提现", withdrawn: "已提现",
    viewLedger: "佣金明细", ledgerOf: "{name} 的佣金明细", time: "时间", kind: "类型", bucket: "账户", note: "说明",
    buckets: { pending: "待结算", withdrawable: "可提现" }, order: "订单 #{id}", settleAfter: "售后期结束后结算：{at}", noEntries: "暂无佣金记录",
    errors: { reason: "请填写拒绝原因" },
  },
};

export const en = {
  menu: { commissions: "Commissions" },
  commissions: {
    withdrawals: "Withdrawals", perLeader: "Per leader", leader: "Leader", amount: "Amount", account: "Pay to", requestedAt: "Requested", handled: "Handled",
    status: { requested: "To review", approved: "Approved, to pay", paid: "Paid", rejected: "Rejected" },
    approve: "Approve", reject: "Reject", markPaid: "Mark paid",
    approveConfirm: "Approve {name}'s withdrawal of {amount}?", paidConfirm: "Confirm {amount} was paid to {name} ({account})?",
    approvedDone: "Approved; mark it paid once the money is sent", paidDone: "Marked paid", rejectedDone: "Rejected; the amount is back in the leader's withdrawable balance",
    rejectTitle: "Reject {name}'s withdrawal of {amount}", rejectHint: "The amount returns to the leader's withdrawable balance; they see the reason.",
    reviewedBy: "Reviewed by {name} at {at}", paidBy: "Paid by {name} at {at}",
    emptyRequested: "No withdrawals to review. Leaders' requests from the leader center show up here.", emptyLeaders: "No leaders yet.",
    searchPlaceholder: "Leader name / phone",
    earned: "Earned", pending: "Pending", settled: "Settled", withdrawable: "Withdrawable", withdrawn: "Withdrawn",
    viewLedger: "Ledger", ledgerOf: "{name}'s ledger", time: "Time", kind: "Kind", bucket: "Bucket", note: "Note",
    buckets: { pending: "Pending", withdrawable: "Withdrawable" }, order: "Order #{id}", settleAfter: "Settles after {at}", noEntries: "No entries yet",
    errors: { reason: "Give a reason" },
  },
};
