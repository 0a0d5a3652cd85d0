export const zh = {
  menu: { orders: "订单管理" },
  orders: {
    title: "订单管理", tabOrders: "订单", tabAfterSales: "售后申请", campaign: "团购", leader: "团长", status: "状态", dates: "下单日期",
    phone: "手机号", phonePlaceholder: "团员手机号", from: "开始日期", to: "结束日期", number: "订单号", contact: "联系人", pickupPoint: "自提点",
    items: "商品", total: "实付", refunded: "已退", createdAt: "下单时间", paidAt: "支付时间", detail: "订单详情", lines: "商品明细",
    product: "商品", spec: "规格", unitPrice: "单价", quantity: "数量", amount: "金额", refundedQuantity: "已退件数", events: "订单日志",
    payments: "支付记录", refunds: "退款记录", afterSales: "售后", pickupCode: "提货码", note: "备注", commission: "佣金比例",
    cancel: "取消订单", cancelPrompt: "请输入取消原因（团员可见）", cancelled: "订单已取消", refund: "退款", refundTitle: "订单退款",
    refundMode: "退款方式", modeFull: "全额退款", modeLines: "按商品退", modeAmount: "按金额退", refundable: "可退金额", refundQuantity: "退几件",
    refundAmount: "退款金额（元）", reason: "退款原因", reasonRequired: "请填写原因", chooseLines: "请选择要退的商品和件数",
    invalidMoney: "请输入正确的金额（最多两位小数）", refundDone: "退款已提交", export: "导出Excel", exportHint: "导出当前筛选条件下的订单",
    empty: "没有符合条件的订单。换个筛选条件试试，或等待团员下单。", provider: "渠道", outTradeNo: "商户单号", paymentStatus: "状态",
    resolve: "处理", resolveTitle: "处理售后", resolveRefund: "同意并退款", resolveReject: "驳回", resolution: "处理说明",
    resolveAmount: "退款金额（元，空为按申请行退）", resolved: "售后已处理", requestLine: "申请商品", wholeOrder: "整单",
    afterSaleEmpty: "没有售后申请。团员在订单详情中申请售后后会出现在这里。", openOnly: "待处理", handledAt: "处理时间",
    statuses: {
      pending_payment: "待付款", paid: "已付款", confirmed: "已成团", shipped: "已发货", arrived: "待提货", picked_up: "已提货",
      completed: "已完成", cancelled: "已取消", refunded: "已退款",
    },
    afterSaleStatuses: { open: "待处理", refunded: "已退款", rejected: "已驳回" },
    eventTypes: {
      placed: "下单", paid: "支付成功", cancelled: "取消", expired: "超时关闭", confirmed: "成团确认", shipped: "发货", arrived: "到货",
      picked_up: "核销提货", completed: "完成", refunded: "全额退款", partial_refund: "部分退款", after_sale_opened: "申请售后",
      after_sale_resolved: "售后处理", pickup_notice: "提货通知",
    },
  },
};

export const en = {
  menu: { orders: "Orders" },
  orders: {
    title: "Orders", tabOrders: "Orders", tabAfterSales: "After-sales", campaign: "Campaign", leader: "Leader", status: "Status", dates: "Ordered on",
    phone: "Phone", phonePlaceholder: "Member phone", from: "From", to: "To", number: "Order no.", contact: "Contact", pickupPoint: "Pickup point",
    items: "Items", total: "Paid", refunded: "Refunded", createdAt: "Ordered", paidAt: "Paid at", detail: "Order", lines: "Lines",
    product: "Product", spec: "Spec", unitPrice: "Unit price", quantity: "Qty", amount: "Amount", refundedQuantity: "Refunded qty", events: "History",
    payments: "Payments", refunds: "Refunds", afterSales: "After-sales", pickupCode: "Pickup code", note: "Note", commission: "Commission",
    cancel: "Cancel order", cancelPrompt: "Why is it cancelled? (the member sees this)", cancelled: "Order cancelled", refund: "Refund", refundTitle: "Refund order",
    refundMode: "Refund", modeFull: "Everything", modeLines: "Some items", modeAmount: "An amount", refundable: "Refundable", refundQuantity: "Pieces",
    refundAmount: "Amount (¥)", reason: "Reason", reasonRequired: "Give a reason", chooseLines: "Choose items and pieces to refund",
    invalidMoney: "Enter an amount with at most 2 decimals", refundDone: "Refund sent", export: "Export Excel", exportHint: "Exports the orders of the current filter",
    empty: "No orders match. Try other filters, or wait for members to order.", provider: "Provider", outTradeNo: "Trade no.", paymentStatus: "Status",
    resolve: "Handle", resolveTitle: "Handle after-sales", resolveRefund: "Refund", resolveReject: "Reject", resolution: "Answer",
    resolveAmount: "Amount (¥; blank: the requested line)", resolved: "Handled", requestLine: "Item", wholeOrder: "Whole order",
    afterSaleEmpty: "No after-sales requests. Members ask from their order page.", openOnly: "Open", handledAt: "Handled",
    statuses: {
      pending_payment: "Unpaid", paid: "Paid", confirmed: "Confirmed", shipped: "Shipped", arrived: "Ready for pickup", picked_up: "Picked up",
      completed: "Completed", cancelled: "Cancelled", refunded: "Refunded",
    },
    afterSaleStatuses: { open: "Open", refunded: "Refunded", rejected: "Rejected" },
    eventTypes: {
      placed: "Placed", paid: "Paid", cancelled: "Cancelled", expired: "Expired", confirmed: "Confirmed", shipped: "Shipped", arrived: "Arrived",
      picked_up: "Picked up", completed: "Completed", refunded: "Refunded", partial_refund: "Partial refund", after_sale_opened: "After-sales opened",
      after_sale_resolved: "After-sales handled", pickup_notice: "Pickup notice",
    },
  },
};
