import type { RouteRecordRaw } from "vue-router";

// Home delivery: my saved addresses (from 我的), and the courier's routes (a phone at the door).
export default [
  {
    path: "/h5/s/:shopId(\\d+)/addresses",
    name: "addresses",
    component: () => import("../../pages/delivery/my-addresses.vue"),
    meta: { auth: true, title: "delivery.addresses" },
  },
  {
    path: "/h5/s/:shopId(\\d+)/courier",
    name: "courier",
    component: () => import("../../pages/delivery/courier-routes.vue"),
    meta: { auth: true, title: "delivery.courierTitle" },
  },
] as RouteRecordRaw[];
