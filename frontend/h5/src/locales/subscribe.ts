export const zh = {
  subscribe: {
    ask: "接收提货、退款和成团通知",
    hint: "在微信里接收订单的服务通知，每次订阅可收到一条",
    done: "已订阅，到货时会在微信提醒你",
  },
};
