import { afterEach, describe, expect, it, vi } from "vitest";
import { followFeed, type FeedPurchase } from "./campaigns";

class FakeEventSource {
  static last: FakeEventSource | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  close() {
    this.closed = true;
  }
}

const purchase: FeedPurchase = {
  id: "7",
  name: "张**",
  items: [{ product_name: "土鸡蛋", spec: "30枚", quantity: 2 }],
  at: null,
};

describe("followFeed", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("should follow the campaign's server-sent events", () => {
    const seen: FeedPurchase[] = [];
    const handle = followFeed(3, 9, (p) => seen.push(p), {
      eventSource: FakeEventSource as unknown as typeof EventSource,
    });
    const source = FakeEventSource.last!;
    expect(source.url).toBe("/api/shops/3/campaigns/9/feed");
    source.onmessage!({ data: JSON.stringify(purchase) } as MessageEvent<string>);
    expect(seen).toEqual([purchase]);
    handle.close();
    expect(source.closed).toBe(true);
  });

  it("should fall back to polling after repeated errors", async () => {
    const fetchMock = vi.fn().mockResolvedValue(
      new Response(
        JSON.stringify({
          items: [{ id: 12, name: "王**", product_name: "火龙果", spec: "2个装", quantity: 1, at: null }],
          last_id: 12,
        }),
        { status: 200 },
      ),
    );
    vi.stubGlobal("fetch", fetchMock);
    const seen: FeedPurchase[] = [];
    const handle = followFeed(3, 9, (p) => seen.push(p), {
      eventSource: FakeEventSource as unknown as typeof EventSource,
      maxFailures: 2,
      pollMs: 60_000,
    });
    const source = FakeEventSource.last!;
    source.onerror!();
    source.onerror!();
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(source.closed).toBe(true);
    expect(fetchMock.mock.calls[0][0]).toBe("/api/shops/3/campaigns/9/recent-purchases?after_id=0");
    expect(seen[0]).toMatchObject({ name: "王**", items: [{ product_name: "火龙果", spec: "2个装", quantity: 1 }] });
    handle.close();
  });

  it("should poll when the browser has no EventSource", async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValue(new Response(JSON.stringify({ items: [], last_id: 0 }), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    const handle = followFeed(3, 9, () => undefined, { eventSource: undefined, pollMs: 60_000 });
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    handle.close();
  });
});
