import type { RouteRecordRaw } from "vue-router";

// Becoming a leader: the plan page is public (opened from a QR code); applying needs a login.
export default [
  {
    path: "/h5/recruit/:shopId/:token",
    name: "recruit-plan",
    component: () => import("../../pages/apply/recruit-plan.vue"),
    meta: { title: "apply.plan.title" },
  },
  {
    path: "/h5/recruit/:shopId/:token/apply",
    name: "apply-form",
    component: () => import("../../pages/apply/apply-form.vue"),
    meta: { auth: true, title: "apply.form.title" },
  },
  {
    path: "/h5/s/:shopId/leader-application",
    name: "my-application",
    component: () => import("../../pages/apply/my-application.vue"),
    meta: { auth: true, title: "apply.mine.title" },
  },
] as RouteRecordRaw[];
