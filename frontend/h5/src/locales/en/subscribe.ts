export const en = {
  subscribe: {
    ask: "Get pickup, refund and campaign notices",
    hint: "Receive this order's notices in WeChat, one per subscription",
    done: "Subscribed: WeChat will tell you when it arrives",
  },
};
