export const zh = {
  menu: { settings: "店铺设置" },
  settings: {
    review: "团长审核门槛", minHouseholds: "小区最少户数", minHouseholdsHint: "低于此户数的小区不能申请（0 = 不限）",
    onePerCommunity: "一个小区一名团长", onePerCommunityHint: "开启后，已有团长的小区不再接受申请",
    minDistance: "自提点最小间距（米）", minDistanceHint: "审核时提示与最近自提点的距离（0 = 不限）",
    orders: "订单与佣金", paymentTimeout: "支付超时", minutes: "分钟未支付自动取消", afterSales: "售后期（天）", afterSalesHint: "提货后多少天内可申请售后；期满后佣金结算",
    defaultRate: "默认佣金比例", defaultRateHint: "未单独设置的团长按此比例计佣，最高 50%",
    notice: "提货通知", noticeText: "通知文案", placeholders: "可用占位符", preview: "团员收到",
    placeholder: { campaign: "团购名称", point: "自提点", code: "提货码" }, required: "（必填）",
    sample: { campaign: "周末鲜果团", point: "海韵花园自提点" },
    profile: "店铺资料", shopName: "店铺名称", contactName: "联系人", contactPhone: "联系电话",
    errors: { rate: "请输入百分比，最多两位小数" },
  },
};

export const en = {
  menu: { settings: "Settings" },
  settings: {
    review: "Leader application thresholds", minHouseholds: "Minimum households", minHouseholdsHint: "Smaller communities cannot apply (0 = no minimum)",
    onePerCommunity: "One leader per community", onePerCommunityHint: "When on, a community with a leader takes no more applications",
    minDistance: "Min. distance between points (m)", minDistanceHint: "Reviewers see the distance to the nearest point (0 = no rule)",
    orders: "Orders & commission", paymentTimeout: "Payment timeout", minutes: "minutes unpaid, then cancelled", afterSales: "After-sales window (days)", afterSalesHint: "Days after pickup to ask for after-sales; commission settles after it",
    defaultRate: "Default commission rate", defaultRateHint: "For leaders without their own rate; at most 50%",
    notice: "Pickup notice", noticeText: "Notice text", placeholders: "Placeholders", preview: "Members receive",
    placeholder: { campaign: "campaign", point: "pickup point", code: "pickup code" }, required: " (required)",
    sample: { campaign: "Weekend fruit", point: "Haiyun Garden point" },
    profile: "Shop profile", shopName: "Shop name", contactName: "Contact", contactPhone: "Contact phone",
    errors: { rate: "Enter a percent with at most 2 decimals" },
  },
};
