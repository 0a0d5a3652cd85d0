// Home delivery (送货上门): my saved addresses, and the courier's routes and confirmations.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

type Schemas = components["schemas"];
export type Address = Schemas["AddressOut"];
export type AddressIn = Schemas["AddressIn"];
export type CourierRoute = Schemas["RouteOut"];
export type DeliveryConfirm = Schemas["DeliveryConfirmOut"];

export const getAddressesApi = (shopId: number) => http.get<Address[]>(`shops/${shopId}/addresses`);
export const createAddressApi = (shopId: number, body: AddressIn) =>
  http.post<Address>(`shops/${shopId}/addresses`, body);
export const updateAddressApi = (shopId: number, id: number, body: Partial<AddressIn>) =>
  http.patch<Address>(`shops/${shopId}/addresses/${id}`, body);
export const deleteAddressApi = (shopId: number, id: number) => http.delete<null>(`shops/${shopId}/addresses/${id}`);
export const getCourierRoutesApi = (shopId: number) => http.get<CourierRoute[]>(`shops/${shopId}/courier/routes`);
export const confirmDeliveryApi = (shopId: number, routeId: number, code: string) =>
  http.post<DeliveryConfirm>(`shops/${shopId}/courier/routes/${routeId}/deliveries`, { code });

/** The fee a campaign charges for these goods (after discounts): waived from its free-above amount. */
export function deliveryFeeFen(
  campaign: { delivery_fee_fen: number; delivery_free_above_fen: number | null },
  goodsFen: number,
): number {
  const freeAbove = campaign.delivery_free_above_fen;
  return freeAbove !== null && goodsFen >= freeAbove ? 0 : campaign.delivery_fee_fen;
}
