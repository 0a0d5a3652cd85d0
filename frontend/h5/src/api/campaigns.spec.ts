import { afterEach, describe, expect, it, vi } from "vitest";
import { campaignFeedUrl, feedOrigin, followFeed, type FeedPurchase } from "./campaigns";

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
  id: 7,
  name: "张**",
  items: [{ product_name: "土鸡蛋", spec: "30枚", quantity: 2 }],
  at: null,
};

describe("feedOrigin", () => {
  afterEach(() => document.head.querySelector('meta[name="tuangou-feed-port"]')?.remove());

  it("should keep the feed on the page's origin unless the server names its port", () => {
    expect(feedOrigin()).toBe("");
    expect(campaignFeedUrl(3, 9)).toBe("/api/shops/3/campaigns/9/feed");
  });

  it("should open the feed on the port `make run` serves it from, on the page's host", () => {
    const meta = document.createElement("meta");
    meta.name = "tuangou-feed-port";
    meta.content = "8001";
    document.head.append(meta);
    const loc = { protocol: "http:", hostname: "192.168.1.5" } as Location;
    expect(feedOrigin(document, loc)).toBe("http://192.168.1.5:8001");
    meta.content = "x.example"; // only a port is taken
    expect(feedOrigin(document, loc)).toBe("");
  });
});

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

  it("should fall back to polling after repeated errors, going on from the last event seen live", async () => {
    const fetchMock = vi.fn().mockResolvedValue(
      new Response(
        JSON.stringify({
          items: [
            purchase, // already seen live: not shown twice
            { id: 12, name: "王**", items: [{ product_name: "火龙果", spec: "2个装", quantity: 1 }], at: null },
          ],
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
    source.onmessage!({ data: JSON.stringify(purchase) } as MessageEvent<string>);
    source.onerror!();
    source.onerror!();
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    expect(source.closed).toBe(true);
    expect(fetchMock.mock.calls[0][0]).toBe("/api/shops/3/campaigns/9/feed/events?after_id=7");
    expect(seen.map((p) => p.id)).toEqual([7, 12]);
    expect(seen[1]).toMatchObject({ name: "王**", items: [{ product_name: "火龙果", spec: "2个装", quantity: 1 }] });
    handle.close();
  });

  it("should deliver a repeated event once", () => {
    const seen: FeedPurchase[] = [];
    const handle = followFeed(3, 9, (p) => seen.push(p), {
      eventSource: FakeEventSource as unknown as typeof EventSource,
    });
    const source = FakeEventSource.last!;
    for (const id of [7, 7, 8, 7]) {
      source.onmessage!({ data: JSON.stringify({ ...purchase, id }) } as MessageEvent<string>);
    }
    expect(seen.map((p) => p.id)).toEqual([7, 8]);
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
