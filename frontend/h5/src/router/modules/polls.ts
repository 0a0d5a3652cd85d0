import type { RouteRecordRaw } from "vue-router";

// 群投票: the vote page is public (opened from the group chat; voting asks for a login);
// the leader's own polls live in the leader center.
export default [
  {
    path: "/h5/s/:shopId(\\d+)/polls/:pollId(\\d+)",
    name: "poll",
    component: () => import("../../pages/polls/poll-page.vue"),
    meta: { title: "polls.title" },
  },
  {
    path: "/h5/s/:shopId/leader/polls",
    name: "leader-polls",
    component: () => import("../../pages/polls/leader-polls.vue"),
    meta: { leader: true, title: "polls.leaderTitle" },
  },
] as RouteRecordRaw[];
