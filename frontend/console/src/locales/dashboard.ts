export const zh = {
  menu: { dashboard: "数据看板" },
  dashboard: {
    today: "今日", days7: "近7天", days30: "近30天", gmv: "成交额", orders: "订单数", payingMembers: "下单团员", newLeaders: "新增团长",
    gmvHint: "已支付减去已退款", trend: "成交趋势", window: "统计周期", topLeaders: "团长排行", topProducts: "商品排行",
    leader: "团长", pickupPoint: "自提点", members: "团员数", product: "商品", quantity: "销量",
    noSales: "这段时间还没有成交。发布一个团购，让团长转发到小区群吧。", createCampaign: "去开团",
  },
};

export const en = {
  menu: { dashboard: "Dashboard" },
  dashboard: {
    today: "Today", days7: "Last 7 days", days30: "Last 30 days", gmv: "GMV", orders: "Orders", payingMembers: "Paying members", newLeaders: "New leaders",
    gmvHint: "Paid minus refunded", trend: "Sales trend", window: "Period", topLeaders: "Top leaders", topProducts: "Top products",
    leader: "Leader", pickupPoint: "Pickup point", members: "Members", product: "Product", quantity: "Sold",
    noSales: "No sales in this period yet. Publish a campaign and let your leaders share it.", createCampaign: "Start a campaign",
  },
};
