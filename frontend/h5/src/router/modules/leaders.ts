import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "/h5/s/:shopId(\\d+)/leaders",
    name: "nearby-leaders",
    component: () => import("../../pages/leaders/nearby-leaders-page.vue"),
    meta: { title: "leaders.title" },
  },
] as RouteRecordRaw[];
