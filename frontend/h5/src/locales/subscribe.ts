export const zh = {
  subscribe: {
    ask: "接收提货、退款和成团通知",
    hint: "在微信里接收订单的服务通知，每次订阅可收到一条",
    done: "已订阅，到货时会在微信提醒你",
    leader: {
      ask: "接收团长申请审核结果通知",
      hint: "审核通过或未通过时，在微信里提醒你",
      done: "已订阅，审核后会在微信提醒你",
    },
  },
};
export const en = {
  subscribe: {
    ask: "Get pickup, refund and campaign notices",
    hint: "Receive this order's notices in WeChat, one per subscription",
    done: "Subscribed: WeChat will tell you when it arrives",
    leader: {
      ask: "Get the result of my application",
      hint: "WeChat tells you when your application is approved or declined",
      done: "Subscribed: WeChat will tell you the result",
    },
  },
};
