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
export const campaignFeedUrl = (shopId: number, campaignId: number) =>
  `/api/shops/${shopId}/campaigns/${campaignId}/feed`;

/** One purchase as the feed sends it: an order paid, with the masked buyer and their lines. */
export interface FeedPurchase {
  id: string;
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

  function poll(afterId: number) {
    if (closed) return;
    getRecentPurchasesApi(shopId, campaignId, afterId)
      .then((page) => {
        // The endpoint answers newest first; show them in the order they happened.
        for (const item of [...page.items].reverse()) {
          onPurchase({
            id: `line-${item.id}`,
            name: item.name,
            items: [{ product_name: item.product_name, spec: item.spec, quantity: item.quantity }],
            at: item.at,
          });
        }
        timer = setTimeout(() => poll(page.last_id), pollMs);
      })
      .catch(() => {
        timer = setTimeout(() => poll(afterId), pollMs);
      });
  }

  if (Source) {
    let failures = 0;
    source = new Source(campaignFeedUrl(shopId, campaignId));
    source.onmessage = (event: MessageEvent<string>) => {
      failures = 0;
      onPurchase(JSON.parse(event.data) as FeedPurchase);
    };
    source.onopen = () => {
      failures = 0;
    };
    source.onerror = () => {
      failures += 1;
      if (failures >= maxFailures && source) {
        source.close();
        source = null;
        poll(0);
      }
    };
  } else {
    poll(0);
  }

  return {
    close() {
      closed = true;
      source?.close();
      if (timer) clearTimeout(timer);
    },
  };
}
