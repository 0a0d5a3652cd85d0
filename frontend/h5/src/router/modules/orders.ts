import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "/h5/s/:shopId(\\d+)/orders",
    name: "orders",
    component: () => import("../../pages/orders/order-list-page.vue"),
    meta: { auth: true, title: "orders.title", tab: "orders" },
  },
  {
    path: "/h5/s/:shopId(\\d+)/orders/:orderId(\\d+)",
    name: "order",
    component: () => import("../../pages/orders/order-detail-page.vue"),
    meta: { auth: true, title: "orders.detailTitle" },
  },
] as RouteRecordRaw[];
