import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { createI18n } from "vue-i18n";
import { messageCompiler } from "@shared/i18n";
import { zh } from "../locales/leader";
import type { LeaderCampaign } from "../api/leader";
import LeaderCampaignCard from "./leader-campaign-card.vue";

function campaign(changes: Partial<LeaderCampaign> = {}): LeaderCampaign {
  return {
    id: 7,
    title: "周末鲜蛋团",
    status: "live",
    status_label: "进行中",
    template: "fast",
    starts_at: "2026-11-27T00:00:00Z",
    cutoff_at: "2026-11-29T12:00:00Z",
    pickup_at: "2026-11-30T02:30:00Z",
    progress: {
      threshold_type: "members",
      threshold_value: 10,
      members: 4,
      quantity: 6,
      current: 4,
      percent: 40,
      reached: false,
    },
    joined: false,
    joined_at: null,
    my_orders: 3,
    my_amount_fen: 9870,
    ...changes,
  };
}

function render(props: LeaderCampaign) {
  const i18n = createI18n({ legacy: false, locale: "zh-CN", messages: { "zh-CN": zh }, messageCompiler });
  return mount(LeaderCampaignCard, { props: { campaign: props }, global: { plugins: [i18n] } });
}

describe("leader-campaign-card", () => {
  it("should show my orders and the progress to 成团", () => {
    const text = render(campaign()).text();
    expect(text).toContain("成团进度 4/10");
    expect(text).toContain("我的订单 3 单 · ¥98.70");
  });

  it("should offer to join a live campaign not joined yet, and emit join", async () => {
    const wrapper = render(campaign());
    await wrapper.find("[data-test=join]").trigger("click");
    expect(wrapper.emitted("join")).toHaveLength(1);
  });

  it("should not offer to join a campaign past its cut-off", () => {
    const wrapper = render(campaign({ status: "succeeded", status_label: "已成团" }));
    expect(wrapper.find("[data-test=join]").exists()).toBe(false);
  });

  it("should emit which share tab to open", async () => {
    const wrapper = render(campaign({ joined: true, joined_at: "2026-11-27T01:00:00Z" }));
    await wrapper.find("[data-test=open-jielong]").trigger("click");
    await wrapper.find("[data-test=open-poster]").trigger("click");
    expect(wrapper.emitted("open")).toEqual([["jielong"], ["poster"]]);
    expect(wrapper.text()).toContain("已参团");
  });
});
