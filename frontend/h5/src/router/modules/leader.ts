import type { RouteRecordRaw } from "vue-router";

// The leader center: only for leaders of the shop (meta.leader).
export default [
  {
    path: "/h5/s/:shopId/leader",
    name: "leader-center",
    component: () => import("../../pages/leader/leader-center.vue"),
    meta: { leader: true, title: "leader.title" },
  },
  {
    path: "/h5/s/:shopId/leader/campaigns/:campaignId",
    name: "leader-share",
    component: () => import("../../pages/leader/campaign-share.vue"),
    meta: { leader: true, title: "leader.share.title" },
  },
  {
    path: "/h5/s/:shopId/leader/orders",
    name: "leader-orders",
    component: () => import("../../pages/leader/leader-orders.vue"),
    meta: { leader: true, title: "leader.orders.title" },
  },
  {
    path: "/h5/s/:shopId/leader/verify",
    name: "leader-verify",
    component: () => import("../../pages/leader/verify-pickup.vue"),
    meta: { leader: true, title: "leader.verify.title" },
  },
  {
    path: "/h5/s/:shopId/leader/commission",
    name: "leader-commission",
    component: () => import("../../pages/leader/leader-commission.vue"),
    meta: { leader: true, title: "leader.commission.title" },
  },
  {
    path: "/h5/s/:shopId/leader/recruit",
    name: "leader-recruit",
    component: () => import("../../pages/leader/leader-recruit.vue"),
    meta: { leader: true, title: "leader.recruit.title" },
  },
] as RouteRecordRaw[];
