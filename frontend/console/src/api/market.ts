// The supply marketplace (分销市场): other shops' offers we sell, our own offers, the dropship
// orders we ship for sellers (一件代发), and the ledger between the two sides.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type Schemas = components["schemas"];
export type MarketOffer = Schemas["MarketOfferOut"];
export type Offer = Schemas["OfferOut"];
export type OfferIn = Schemas["OfferIn"];
export type Link = Schemas["LinkOut"];
export type Dropship = Schemas["DropshipOut"];
export type OrderDropship = Schemas["ConsoleOrderDropshipOut"];
export type SellerLedger = Schemas["SellerLedgerOut"];
export type SupplierLedger = Schemas["SupplierLedgerOut"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getMarketOffersApi = (query: { page?: number; q?: string }) =>
  http.get<Page<MarketOffer>>(path("market/offers"), { ...query });
export const adoptOfferApi = (offerId: number, body: { price_fen: number; units: number; name?: string }) =>
  http.post<Link>(path(`market/offers/${offerId}/adopt`), body);
export const getLinksApi = () => http.get<Link[]>(path("market/links"));
export const allotLinkApi = (linkId: number, units: number) =>
  http.post<Link>(path(`market/links/${linkId}/allot`), { units });
export const returnLinkApi = (linkId: number, units: number) =>
  http.post<Link>(path(`market/links/${linkId}/return`), { units });
export const getSellerLedgerApi = (status?: string | null) =>
  http.get<SellerLedger>(path("market/settlements"), { status: status || undefined });
export const settleApi = (settlementIds: number[] | null) =>
  http.post<{ settled: number }>(path("market/settlements/settle"), { settlement_ids: settlementIds });
export const getOrderDropshipsApi = (orderId: number) => http.get<OrderDropship[]>(path(`orders/${orderId}/dropships`));

export const getOffersApi = () => http.get<Offer[]>(path("supply/offers"));
export const publishOfferApi = (body: OfferIn) => http.post<Offer>(path("supply/offers"), body);
export const withdrawOfferApi = (offerId: number) => http.post<Offer>(path(`supply/offers/${offerId}/withdraw`));
export const getDropshipsApi = (query: { page?: number; status?: string | null; q?: string }) =>
  http.get<Page<Dropship>>(path("supply/dropships"), { ...query, status: query.status || undefined });
export const shipDropshipApi = (id: number, carrier: string, trackingNo: string) =>
  http.post<Dropship>(path(`supply/dropships/${id}/ship`), { carrier, tracking_no: trackingNo });
export const deliverDropshipApi = (id: number) => http.post<Dropship>(path(`supply/dropships/${id}/deliver`));
export const getSupplierLedgerApi = (status?: string | null) =>
  http.get<SupplierLedger>(path("supply/settlements"), { status: status || undefined });

/** 元 typed in a form → fen (two decimals at most). */
export const yuanToFen = (yuan: number | null | undefined) => Math.round((yuan ?? 0) * 100);
