// Front warehouses (前置仓): the list, their stock and transfers with the central store, couriers,
// and the delivery sheet of a campaign (routes planned by the solver, printable).
import type { components } from "@shared/api-types";
import { http } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type Warehouse = S["WarehouseOut"];
export type WarehouseIn = S["WarehouseIn"];
export type WarehouseStock = S["WarehouseStockOut"];
export type Transfer = S["TransferOut"];
export type TransferIn = S["TransferIn"];
export type Courier = S["CourierOut"];
export type DeliverySheet = S["DeliverySheetOut"];
export type DeliveryRoute = S["RouteOut"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getWarehousesApi = () => http.get<Warehouse[]>(path("warehouses"));
export const createWarehouseApi = (body: WarehouseIn) => http.post<Warehouse>(path("warehouses"), body);
export const updateWarehouseApi = (id: number, body: Partial<WarehouseIn>) =>
  http.patch<Warehouse>(path(`warehouses/${id}`), body);
export const getWarehouseStockApi = (id: number) => http.get<WarehouseStock[]>(path(`warehouses/${id}/stock`));
export const getTransfersApi = (id: number) => http.get<Transfer[]>(path(`warehouses/${id}/transfers`));
export const createTransferApi = (id: number, body: TransferIn) =>
  http.post<Transfer>(path(`warehouses/${id}/transfers`), body);
export const getCouriersApi = () => http.get<Courier[]>(path("couriers"));
export const createCourierApi = (body: { phone: string; name: string }) => http.post<Courier>(path("couriers"), body);
export const getDeliverySheetApi = (campaignId: number) =>
  http.get<DeliverySheet>(path(`campaigns/${campaignId}/delivery-routes`));
export const planDeliveryRoutesApi = (campaignId: number, maxStops: number) =>
  http.post<DeliverySheet>(path(`campaigns/${campaignId}/delivery-routes`), { max_stops: maxStops });
export const assignRouteApi = (routeId: number, courierId: number | null) =>
  http.patch<DeliveryRoute>(path(`delivery-routes/${routeId}`), { courier_id: courierId });
/** The printable sheet: a plain link, the browser downloads it. */
export const deliverySheetUrl = (campaignId: number, extension: "pdf" | "xlsx") =>
  `/api/${path(`campaigns/${campaignId}/delivery-sheet.${extension}`)}`;
