import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "/h5/s/:shopId(\\d+)/me",
    name: "me",
    component: () => import("../../pages/me/me-page.vue"),
    meta: { title: "me.title", tab: "me" },
  },
] as RouteRecordRaw[];
