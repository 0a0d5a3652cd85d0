// Campaign pages: list, detail, who joined, and the 他们都在买 feed (server-sent events; polling
// the recent-purchases endpoint when EventSource is missing or keeps failing).
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";

type Schemas = components["schemas"];
export type CampaignCard = Schemas["PublicCampaignListOut"];
export type Campaign = Schemas["PublicCampaignOut"];
export type CampaignItem = Schemas["PublicItemOut"];
export type Buyer = Schemas["BuyerOut"];

export const getCampaignsApi = (shopId: number, leaderId?: number | null) =>
  http.get<Page<CampaignCard>>(`shops/${shopId}/campaigns`, { leader_id: leaderId ?? undefined, page_size: 50 });
export const getCampaignApi = (shopId: number, campaignId: number) =>
  http.get<Campaign>(`shops/${shopId}/campaigns/${campaignId}`);
export const getBuyersApi = (shopId: number, campaignId: number, page = 1) =>
  http.get<Page<Buyer>>(`shops/${shopId}/campaigns/${campaignId}/buyers`, { page });
export const getRecentPurchasesApi = (shopId: number, campaignId: number, afterId = 0) =>
  http.get<Schemas["PurchaseFeedOut"]>(`shops/${shopId}/campaigns/${campaignId}/recent-purchases`, {
    after_id: afterId,
  });
/** The feed's own events by polling, after the last event id seen (the same ids as the live feed). */
export const getFeedEventsApi = (shopId: number, campaignId: number, afterId = 0) =>
  http.get<Schemas["FeedEventsOut"]>(`shops/${shopId}/campaigns/${campaignId}/feed/events`, { after_id: afterId });
/** Where the live feed is served: the page's origin, or (`make run`) the same host on the port the
 * server names in `<meta name="tuangou-feed-port">` (its own ASGI process; CORS allows it). */
export function feedOrigin(doc: Document = document, loc: Location = location): string {
  const port = doc.querySelector<HTMLMetaElement>('meta[name="tuangou-feed-port"]')?.content ?? "";
  return /^\d{1,5}$/.test(port) ? `${loc.protocol}//${loc.hostname}:${port}` : "";
}
export const campaignFeedUrl = (shopId: number, campaignId: number) =>
  `${feedOrigin()}/api/shops/${shopId}/campaigns/${campaignId}/feed`;

/** One purchase as the feed sends it: an order paid, with the masked buyer and their lines. */
export interface FeedPurchase {
  id: number; // the feed event id: the same purchase has the same id live and polled
  name: string;
  items: { product_name: string; spec: string; quantity: number }[];
  at: string | null;
}

export interface FeedHandle {
  close(): void;
}

/**
 * Follow the feed: EventSource first (it reconnects by itself with Last-Event-ID); after
 * `maxFailures` errors in a row, poll every `pollMs` instead.
 */
export function followFeed(
  shopId: number,
  campaignId: number,
  onPurchase: (purchase: FeedPurchase) => void,
  options: { pollMs?: number; maxFailures?: number; eventSource?: typeof EventSource | undefined } = {},
): FeedHandle {
  const pollMs = options.pollMs ?? 5000;
  const maxFailures = options.maxFailures ?? 3;
  const Source = "eventSource" in options ? options.eventSource : globalThis.EventSource;
  let closed = false;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  let lastId = 0; // the newest event id seen, on either channel: polling goes on from there

  function deliver(purchase: FeedPurchase) {
    if (purchase.id <= lastId) return; // ids only grow: an old one is a repeat (a reconnect, a poll)
    lastId = purchase.id;
    onPurchase(purchase);
  }

  function poll() {
    if (closed) return;
    getFeedEventsApi(shopId, campaignId, lastId)
      .then((page) => {
        for (const item of page.items) deliver(item as FeedPurchase);
        timer = setTimeout(poll, pollMs);
      })
      .catch(() => {
        timer = setTimeout(poll, pollMs);
      });
  }

  if (Source) {
    let failures = 0;
    source = new Source(campaignFeedUrl(shopId, campaignId));
    source.onmessage = (event: MessageEvent<string>) => {
      failures = 0;
      deliver(JSON.parse(event.data) as FeedPurchase);
    };
    source.onopen = () => {
      failures = 0;
    };
    source.onerror = () => {
      failures += 1;
      if (failures >= maxFailures && source) {
        source.close();
        source = null;
        poll();
      }
    };
  } else {
    poll();
  }

  return {
    close() {
      closed = true;
      source?.close();
      if (timer) clearTimeout(timer);
    },
  };
}
