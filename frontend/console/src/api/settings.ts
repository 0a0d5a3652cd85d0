// Shop settings (店铺设置): review thresholds, payment timeout, after-sales window, commission, pickup notice.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type ShopSettings = S["ShopSettingsOut"];
export type ShopSettingsInput = S["ShopSettingsIn"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getSettingsApi = () => http.get<ShopSettings>(path("settings"));
export const updateSettingsApi = (body: ShopSettingsInput) => http.patch<ShopSettings>(path("settings"), body);
