import type { RouteRecordRaw } from "vue-router";

// ?campaign=<id>: an order belongs to one campaign, and so does a cart.
export default [
  {
    path: "/h5/s/:shopId(\\d+)/cart",
    name: "cart",
    component: () => import("../../pages/cart/cart-page.vue"),
    meta: { auth: true, title: "cart.title" },
  },
] as RouteRecordRaw[];
