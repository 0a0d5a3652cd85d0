import type { RouteRecordRaw } from "vue-router";

// The leader's incentives (团长激励): only for leaders of the shop.
export default [
  {
    path: "/h5/s/:shopId/leader/incentives",
    name: "leader-incentives",
    component: () => import("../../pages/leader/leader-incentives.vue"),
    meta: { leader: true, title: "incentives.title" },
  },
] as RouteRecordRaw[];
