// 开放平台: the shop's API keys and webhooks, and the webhooks' delivery log.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type OpenPlatformOptions = S["OpenPlatformOptionsOut"];
export type ApiKey = S["ApiKeyOut"];
export type ApiKeyCreated = S["ApiKeyCreatedOut"];
export type WebhookEndpoint = S["WebhookEndpointOut"];
export type WebhookEndpointCreated = S["WebhookEndpointCreatedOut"];
export type WebhookDelivery = S["WebhookDeliveryOut"];
export type WebhookDeliveryDetail = S["WebhookDeliveryDetailOut"];
export type ApiKeyScope = S["ApiKeyIn"]["scopes"][number];
export type WebhookEvent = S["WebhookEndpointIn"]["events"][number];

export interface DeliveryFilters {
  endpoint_id?: number | null;
  status?: "pending" | "succeeded" | "failed" | null;
}

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getOpenPlatformOptionsApi = () => http.get<OpenPlatformOptions>(path("open-platform/options"));
export const getApiKeysApi = () => http.get<ApiKey[]>(path("api-keys"));
export const createApiKeyApi = (body: { name: string; scopes: ApiKeyScope[] }) =>
  http.post<ApiKeyCreated>(path("api-keys"), body);
export const revokeApiKeyApi = (id: number) => http.post<ApiKey>(path(`api-keys/${id}/revoke`));

export const getWebhooksApi = () => http.get<WebhookEndpoint[]>(path("webhooks"));
export const createWebhookApi = (body: { url: string; events: WebhookEvent[]; description: string }) =>
  http.post<WebhookEndpointCreated>(path("webhooks"), body);
export const updateWebhookApi = (id: number, body: S["WebhookEndpointPatchIn"]) =>
  http.patch<WebhookEndpoint>(path(`webhooks/${id}`), body);
export const deleteWebhookApi = (id: number) => http.delete<null>(path(`webhooks/${id}`));
export const getWebhookSecretApi = (id: number) => http.get<{ secret: string }>(path(`webhooks/${id}/secret`));
export const rotateWebhookSecretApi = (id: number, graceHours: number) =>
  http.post<S["WebhookSecretRotatedOut"]>(path(`webhooks/${id}/rotate-secret`), { grace_hours: graceHours });
export const sendWebhookTestApi = (id: number) => http.post<WebhookDelivery>(path(`webhooks/${id}/test`));

export const getDeliveriesApi = (filters: DeliveryFilters, page: number) =>
  http.get<Page<WebhookDelivery>>(path("webhook-deliveries"), { ...filters, page });
export const getDeliveryApi = (id: number) => http.get<WebhookDeliveryDetail>(path(`webhook-deliveries/${id}`));
export const redeliverApi = (id: number) => http.post<WebhookDelivery>(path(`webhook-deliveries/${id}/redeliver`));
