// Voucher codes and their redemption (核销), partner stores, phone top-ups of the current shop.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type Schemas = components["schemas"];
export type Voucher = Schemas["ConsoleVoucherOut"];
export type OrderVoucher = Schemas["VoucherOut"];
export type StoreVoucher = Schemas["StoreVoucherOut"];
export type Redeemed = Schemas["RedeemedOut"];
export type Store = Schemas["StoreOut"];
export type StoreIn = Schemas["StoreIn"];
export type StorePatch = Schemas["StorePatch"];
export type TopUp = Schemas["TopUpOut"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getVouchersApi = (query: { page?: number; q?: string; status?: string | null }) =>
  http.get<Page<Voucher>>(path("vouchers"), { ...query });
export const getOrderVouchersApi = (orderId: number) => http.get<OrderVoucher[]>(path(`orders/${orderId}/vouchers`));
export const lookupVoucherApi = (code: string) => http.get<StoreVoucher>(path("vouchers/lookup"), { code });
export const redeemVoucherApi = (code: string, uses: number, storeId: number | null) =>
  http.post<Redeemed>(path("vouchers/redeem"), { code, uses, store_id: storeId });
export const getStoresApi = () => http.get<Store[]>(path("voucher-stores"));
export const createStoreApi = (body: StoreIn) => http.post<Store>(path("voucher-stores"), body);
export const updateStoreApi = (id: number, body: StorePatch) => http.patch<Store>(path(`voucher-stores/${id}`), body);
export const getTopUpsApi = (query: { page?: number; status?: string | null }) =>
  http.get<Page<TopUp>>(path("topups"), { ...query });

/** The H5 page a partner store's staff open on their phone (the PIN is asked there). */
export const storeRedeemUrl = (token: string) => `${window.location.origin}/h5/redeem/${token}`;
