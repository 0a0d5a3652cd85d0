import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "/h5/s/:shopId(\\d+)/messages",
    name: "messages",
    component: () => import("../../pages/messages/message-list-page.vue"),
    meta: { auth: true, title: "messages.title", tab: "messages" },
  },
] as RouteRecordRaw[];
