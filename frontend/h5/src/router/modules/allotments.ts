import type { RouteRecordRaw } from "vue-router";

// 发券宝: the coupons a leader hands out; only for leaders of the shop.
export default [
  {
    path: "/h5/s/:shopId/leader/coupons",
    name: "leader-allotments",
    component: () => import("../../pages/leader/leader-allotments.vue"),
    meta: { leader: true, title: "allotments.title" },
  },
] as RouteRecordRaw[];
