import { Document, Stamp } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "approvals",
    name: "approvals",
    component: () => import("../../pages/audit/approvals-page.vue"),
    meta: { title: "menu.approvals", icon: Stamp, permission: "shop.view", order: 84 },
  },
  {
    path: "audit",
    name: "audit",
    component: () => import("../../pages/audit/audit-page.vue"),
    meta: { title: "menu.audit", icon: Document, permission: "audit.view", order: 86 },
  },
] as RouteRecordRaw[];
