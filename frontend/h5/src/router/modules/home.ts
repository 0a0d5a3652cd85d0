import type { RouteRecordRaw } from "vue-router";

export default [
  { path: "/h5/", name: "home", component: () => import("../../pages/home-page.vue") },
] as RouteRecordRaw[];
