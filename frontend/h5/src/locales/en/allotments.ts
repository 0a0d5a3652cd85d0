export const en = {
  allotments: {
    title: "Coupons to hand out",
    entry: "Hand out coupons",
    empty: "The shop has not given you coupons to hand out yet",
    figures: "Allotted {quantity} · claimed {claimed} · used {used}",
    gmv: "GMV brought {amount}",
    share: "Share the claim link",
    copy: "Copy link",
    shareTitle: "{name}: a coupon from your leader",
    fromLeader: "Coupons from your leader {name}",
    left: "{left} left",
    gone: "All claimed",
  },
};
