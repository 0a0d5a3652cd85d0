import { ShoppingCart } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "campaigns",
    name: "campaigns",
    component: () => import("../../pages/campaigns/campaign-list.vue"),
    meta: { title: "menu.campaigns", icon: ShoppingCart, permission: "campaigns.view", order: 20 },
  },
  {
    path: "campaigns/new",
    name: "campaign-new",
    component: () => import("../../pages/campaigns/campaign-wizard.vue"),
    meta: { title: "campaigns.wizard.title", permission: "campaigns.manage", hidden: true, order: 21 },
  },
  {
    path: "campaigns/:id(\\d+)/edit",
    name: "campaign-edit",
    component: () => import("../../pages/campaigns/campaign-wizard.vue"),
    meta: { title: "campaigns.wizard.editTitle", permission: "campaigns.manage", hidden: true, order: 21 },
  },
  {
    path: "campaigns/:id(\\d+)",
    name: "campaign-detail",
    component: () => import("../../pages/campaigns/campaign-detail.vue"),
    meta: { title: "menu.campaigns", permission: "campaigns.view", hidden: true, order: 22 },
  },
] as RouteRecordRaw[];
