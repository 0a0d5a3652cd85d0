export const zh = {
  tabs: { home: "首页", orders: "订单", messages: "消息", me: "我的" },
  home: {
    title: "社区团购", pickerTitle: "选择店铺", pickShop: "我的店铺", noShop: "还没有店铺",
    noShopHint: "打开团长分享到群里的团购链接，就能进入店铺下单。", login: "登录查看我的店铺",
    myPoint: "我的自提点", choosePoint: "选择自提点", choosePointHint: "先选一个离你近的团长，下单后到 TA 的自提点提货。",
    change: "更换", campaigns: "正在开团", noCampaigns: "团长暂时没有开团，晚点再来看看", priceFrom: "{price} 起",
    cutoffIn: "距截单", items: "{count} 件商品",
  },
};
export const en = {
  tabs: { home: "Home", orders: "Orders", messages: "Messages", me: "Me" },
  home: {
    title: "Group buy", pickerTitle: "Choose a shop", pickShop: "My shops", noShop: "No shop yet",
    noShopHint: "Open a group-buy link your leader shared in the chat to enter a shop.", login: "Log in to see my shops",
    myPoint: "My pickup point", choosePoint: "Choose a pickup point", choosePointHint: "Pick a leader near you; you collect your order at their point.",
    change: "Change", campaigns: "Open now", noCampaigns: "No group buys open right now — check back later", priceFrom: "from {price}",
    cutoffIn: "Closes in", items: "{count} items",
  },
};
