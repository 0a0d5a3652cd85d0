export const zh = {
  messages: {
    title: "消息",
    empty: "暂无消息，提货通知会出现在这里",
    readAll: "全部已读",
    unread: "未读",
    viewOrder: "查看订单",
    view: "查看详情",
  },
};
