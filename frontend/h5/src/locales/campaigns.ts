export const zh = {
  campaigns: {
    from: "起", status: { draft: "草稿", scheduled: "未开始", live: "进行中", closed: "已截单", succeeded: "已成团", failed: "未成团", cancelled: "已取消" },
    title: "团购详情", cutoff: "距截单", ended: "已截单", startsIn: "距开团", pickupAt: "提货时间 {time}",
    progressMembers: "已有 {current} 人参团，{threshold} 人成团", progressQuantity: "已售 {current} 件，{threshold} 件成团", reached: "已成团",
    sold: "已售 {count}", left: "仅剩 {count}", soldOut: "已抢光", limit: "限购 {count}", add: "加入", feed: "他们都在买", feedEmpty: "还没有人下单，快来抢第一单",
    bought: "买了", buyers: "已参团的团员", buyersEmpty: "还没有人参团", more: "查看更多", checkout: "去结算", share: "分享", copied: "链接已复制，去群里粘贴吧",
    copyFailed: "复制失败，请长按链接复制", shareText: "{title}，团购价 {price} 起，快来一起买！", notLive: "团购未开始或已截单", description: "团购介绍", total: "合计",
    boundLeader: "已为你绑定分享团长 {name}",
  },
};
export const en = {
  campaigns: {
    from: "from", status: { draft: "Draft", scheduled: "Not started", live: "Live", closed: "Cut off", succeeded: "Group formed", failed: "Not formed", cancelled: "Cancelled" },
    title: "Group buy", cutoff: "Closes in", ended: "Closed", startsIn: "Opens in", pickupAt: "Pickup {time}",
    progressMembers: "{current} joined, {threshold} needed", progressQuantity: "{current} sold, {threshold} needed", reached: "Group formed",
    sold: "{count} sold", left: "Only {count} left", soldOut: "Sold out", limit: "Max {count}", add: "Add", feed: "They are buying", feedEmpty: "No orders yet — be the first",
    bought: "bought", buyers: "Members who joined", buyersEmpty: "Nobody has joined yet", more: "More", checkout: "Check out", share: "Share", copied: "Link copied — paste it in the chat",
    copyFailed: "Could not copy; long-press the link to copy it", shareText: "{title}, from {price} — join the group buy!", notLive: "Not open for orders", description: "About", total: "Total",
    boundLeader: "{name} who shared this is now your leader",
  },
};
