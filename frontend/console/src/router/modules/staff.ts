import { UserFilled } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "staff",
    name: "staff",
    component: () => import("../../pages/staff/staff-page.vue"),
    meta: { title: "menu.staff", icon: UserFilled, permission: "staff.manage", order: 80 },
  },
] as RouteRecordRaw[];
