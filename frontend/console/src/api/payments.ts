// Payment settings (支付设置): the shop's own WeChat Pay / Alipay merchant; secrets are write-only.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type PaymentSettings = S["PaymentSettingsOut"];
export type PaymentSettingsInput = S["PaymentSettingsIn"];
export type PaymentSettingsCheck = S["PaymentSettingsCheckOut"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getPaymentSettingsApi = () => http.get<PaymentSettings>(path("payment-settings"));
export const updatePaymentSettingsApi = (body: PaymentSettingsInput) =>
  http.patch<PaymentSettings>(path("payment-settings"), body);
export const checkPaymentSettingsApi = () => http.post<PaymentSettingsCheck>(path("payment-settings/check"));
