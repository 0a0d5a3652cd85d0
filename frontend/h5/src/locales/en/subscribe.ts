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
