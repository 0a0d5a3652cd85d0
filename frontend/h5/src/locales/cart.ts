export const zh = {
  cart: {
    title: "确认订单",
    reduction: "满减",
    empty: "购物车是空的",
    backToCampaign: "去挑选商品",
    pickupPoint: "自提点",
    noLeader: "还没有选择自提点",
    chooseLeader: "选择自提点",
    contactName: "提货人",
    contactNamePlaceholder: "选填，默认用你的昵称",
    note: "备注",
    notePlaceholder: "选填",
    submit: "提交订单",
    paying: "正在前往支付…",
    unavailable: "已下架",
    pickupAt: "提货时间",
  },
};
