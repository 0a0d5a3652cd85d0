// Voucher codes of my order, and a partner store's redeem page (its link token + PIN, no login).
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

type Schemas = components["schemas"];
export type Voucher = Schemas["VoucherOut"];
export type StoreVoucher = Schemas["StoreVoucherOut"];
export type Redeemed = Schemas["RedeemedOut"];
export type StoreSession = Schemas["StoreSessionOut"];

export const getOrderVouchersApi = (shopId: number, orderId: number) =>
  http.get<Voucher[]>(`shops/${shopId}/orders/${orderId}/vouchers`);
export const openStoreApi = (token: string, pin: string) => http.post<StoreSession>(`redeem/${token}/session`, { pin });
export const lookupStoreVoucherApi = (token: string, pin: string, code: string) =>
  http.post<StoreVoucher>(`redeem/${token}/lookup`, { pin, code });
export const redeemStoreVoucherApi = (token: string, pin: string, code: string, uses: number) =>
  http.post<Redeemed>(`redeem/${token}/redeem`, { pin, code, uses });

/** 12 digits in groups of four, as printed and read aloud. */
export const spacedCode = (code: string) => code.replace(/(\d{4})(?=\d)/g, "$1 ");
