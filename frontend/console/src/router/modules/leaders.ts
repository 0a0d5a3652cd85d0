import { Avatar } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "leaders",
    name: "leaders",
    component: () => import("../../pages/leaders/leaders-page.vue"),
    meta: { title: "menu.leaders", icon: Avatar, permission: "leaders.view", order: 52 },
  },
] as RouteRecordRaw[];
