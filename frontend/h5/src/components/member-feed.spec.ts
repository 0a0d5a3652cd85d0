import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createI18n } from "vue-i18n";
import { messageCompiler } from "@shared/i18n";
import { zh } from "../locales/campaigns";
import MemberFeed from "./member-feed.vue";

class FakeEventSource {
  static last: FakeEventSource | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  close() {}
}

function send(id: number, name: string) {
  const data = JSON.stringify({ id, name, items: [{ product_name: "土鸡蛋", spec: "30枚", quantity: 1 }], at: null });
  FakeEventSource.last!.onmessage!({ data } as MessageEvent<string>);
}

describe("member-feed", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("should show each purchase once, newest first, and tell the page about each new one", async () => {
    vi.stubGlobal("EventSource", FakeEventSource);
    const i18n = createI18n({ legacy: false, locale: "zh-CN", messages: { "zh-CN": zh }, messageCompiler });
    const wrapper = mount(MemberFeed, { props: { shopId: 3, campaignId: 9 }, global: { plugins: [i18n] } });
    await flushPromises();

    send(7, "张**");
    send(7, "张**");
    send(8, "王**");
    send(7, "张**");
    await flushPromises();

    const rows = wrapper.findAll("[data-test=feed-item]");
    expect(rows.map((row) => row.text().replace(/\s+/g, ""))).toEqual([
      "王**买了土鸡蛋(30枚)×1",
      "张**买了土鸡蛋(30枚)×1",
    ]);
    expect(wrapper.emitted("purchase")?.map(([p]) => (p as { id: number }).id)).toEqual([7, 8]);
  });
});
