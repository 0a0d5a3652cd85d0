export const zh = {
  orders: {
    title: "我的订单", detailTitle: "订单详情", all: "全部", pendingPayment: "待付款", paid: "已付款", arrived: "待提货", pickedUp: "已提货",
    empty: "还没有订单，去首页看看正在开团的商品", total: "实付", pay: "去支付", pickupCode: "提货码", pickupCodeHint: "到自提点出示提货码或二维码给团长核销",
    pickupPoint: "自提点", pickupAt: "提货时间", number: "订单号", createdAt: "下单时间", paidAt: "付款时间", items: "商品金额", discount: "优惠", refunded: "已退款",
    cancel: "取消订单", cancelConfirm: "确定取消这个订单吗？已付款的订单会原路退款。", cancelled: "订单已取消", afterSale: "申请售后",
    afterSaleLine: "商品", afterSaleQuantity: "数量", afterSaleReason: "原因", afterSaleReasonPlaceholder: "例如：少了一盒、包装破损",
    afterSaleSubmit: "提交申请", afterSaleSent: "售后申请已提交，客服会尽快处理", afterSales: "售后记录", wholeOrder: "整单",
    expiresAt: "请在 {time} 前付款，超时自动取消", pickedUpAt: "已于 {time} 提货",
  },
};
export const en = {
  orders: {
    title: "My orders", detailTitle: "Order", all: "All", pendingPayment: "To pay", paid: "Paid", arrived: "To pick up", pickedUp: "Picked up",
    empty: "No orders yet — see what is open on the home page", total: "Paid", pay: "Pay now", pickupCode: "Pickup code", pickupCodeHint: "Show the code or QR to your leader at the pickup point",
    pickupPoint: "Pickup point", pickupAt: "Pickup time", number: "Order no.", createdAt: "Ordered", paidAt: "Paid", items: "Goods", discount: "Discount", refunded: "Refunded",
    cancel: "Cancel order", cancelConfirm: "Cancel this order? A paid order is refunded.", cancelled: "Order cancelled", afterSale: "After-sales",
    afterSaleLine: "Item", afterSaleQuantity: "Quantity", afterSaleReason: "Reason", afterSaleReasonPlaceholder: "e.g. one box missing, damaged",
    afterSaleSubmit: "Submit", afterSaleSent: "Request sent; customer service will handle it soon", afterSales: "After-sales", wholeOrder: "Whole order",
    expiresAt: "Pay before {time} or it is cancelled", pickedUpAt: "Picked up {time}",
  },
};
