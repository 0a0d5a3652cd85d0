import { Promotion } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "recruitment",
    name: "recruitment",
    component: () => import("../../pages/recruitment/recruitment-page.vue"),
    meta: { title: "menu.recruitment", icon: Promotion, permission: "leaders.view", order: 50 },
  },
] as RouteRecordRaw[];
