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
export const en = {
  me: {
    title: "Me",
    guest: "Not logged in",
    login: "Log in / Sign up",
    orders: "My orders",
    messages: "Messages",
    myLeader: "My leader",
    leaderCenter: "Leader center",
    apply: "My leader application",
    language: "Language / 语言",
    logout: "Log out",
    loggedOut: "Logged out",
    switchShop: "Switch shop",
  },
};
