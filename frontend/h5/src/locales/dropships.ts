export const zh = {
  dropships: {
    title: "供货商发货",
    pending: "供货商备货中",
    shipped: "供货商已发货 · {carrier} {trackingNo}",
    delivered: "供货商已送达 · {carrier} {trackingNo}",
    cancelled: "已取消代发",
  },
};
