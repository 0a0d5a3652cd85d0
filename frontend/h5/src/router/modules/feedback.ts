import type { RouteRecordRaw } from "vue-router";

// Leader feedback (问题反馈): only for leaders of the shop.
export default [
  {
    path: "/h5/s/:shopId/leader/feedback",
    name: "leader-feedback",
    component: () => import("../../pages/leader/leader-feedback.vue"),
    meta: { leader: true, title: "feedback.title" },
  },
  {
    path: "/h5/s/:shopId/leader/feedback/:feedbackId",
    name: "leader-feedback-detail",
    component: () => import("../../pages/leader/leader-feedback-detail.vue"),
    meta: { leader: true, title: "feedback.thread" },
  },
] as RouteRecordRaw[];
