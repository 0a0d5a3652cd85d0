export const zh = {
  me: {
    title: "我的",
    guest: "未登录",
    login: "登录 / 注册",
    orders: "我的订单",
    messages: "消息中心",
    myLeader: "我的团长",
    leaderCenter: "团长中心",
    apply: "我的团长申请",
    language: "语言 / Language",
    logout: "退出登录",
    loggedOut: "已退出",
    switchShop: "切换店铺",
  },
};
