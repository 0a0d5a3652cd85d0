export const en = {
  dropships: {
    title: "Shipped by the supplier",
    pending: "The supplier is preparing it",
    shipped: "Shipped by the supplier · {carrier} {trackingNo}",
    delivered: "Delivered by the supplier · {carrier} {trackingNo}",
    cancelled: "Dropship cancelled",
  },
};
