import type { RouteRecordRaw } from "vue-router";

// Public: the first screen of anyone who taps a shared link (?leader= carries the sharer).
export default [
  {
    path: "/h5/s/:shopId(\\d+)/campaigns/:campaignId(\\d+)",
    name: "campaign",
    component: () => import("../../pages/campaigns/campaign-page.vue"),
    meta: { title: "campaigns.title" },
  },
] as RouteRecordRaw[];
