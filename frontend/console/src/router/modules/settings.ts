import { Setting } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "settings",
    name: "settings",
    component: () => import("../../pages/settings/settings-page.vue"),
    meta: { title: "menu.settings", icon: Setting, permission: ["settings.view", "shop.settings"], order: 90 },
  },
] as RouteRecordRaw[];
