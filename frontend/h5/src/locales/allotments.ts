export const zh = {
  allotments: {
    title: "发券宝",
    entry: "发券宝",
    empty: "商家还没有分配券给你",
    figures: "分配 {quantity} · 已领 {claimed} · 已使用 {used}",
    gmv: "带来成交 {amount}",
    share: "分享领券链接",
    copy: "复制链接",
    shareTitle: "{name}：团长送你优惠券",
    fromLeader: "团长 {name} 送你的券",
    left: "还剩 {left} 张",
    gone: "已领完",
  },
};
