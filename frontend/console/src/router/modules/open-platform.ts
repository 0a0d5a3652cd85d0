import { ChatLineSquare, Connection } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "feedback",
    name: "feedback",
    component: () => import("../../pages/feedback/feedback-page.vue"),
    meta: { title: "menu.feedback", icon: ChatLineSquare, permission: "feedback.view", order: 54 },
  },
  {
    path: "open-platform",
    name: "open-platform",
    component: () => import("../../pages/open-platform/open-platform-page.vue"),
    meta: { title: "menu.openPlatform", icon: Connection, permission: "integrations.manage", order: 88 },
  },
] as RouteRecordRaw[];
