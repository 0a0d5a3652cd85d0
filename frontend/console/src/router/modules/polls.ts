import { Histogram } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

// 群投票: the group chooses the next campaign's goods.
export default [
  {
    path: "polls",
    name: "polls",
    component: () => import("../../pages/polls/poll-list.vue"),
    meta: { title: "menu.polls", icon: Histogram, permission: "campaigns.view", order: 23 },
  },
  {
    path: "polls/:id(\\d+)",
    name: "poll-detail",
    component: () => import("../../pages/polls/poll-detail.vue"),
    meta: { title: "menu.polls", permission: "campaigns.view", hidden: true, order: 24 },
  },
] as RouteRecordRaw[];
