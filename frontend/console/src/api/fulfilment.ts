// Sheets of a closed campaign (purchase / shipping / sorting) and shipping per pickup point.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type Schemas = components["schemas"];
export type SheetKind = "purchase" | "shipping" | "sorting";
export type PurchaseSheet = Schemas["PurchaseSheetOut"];
export type ShippingSheet = Schemas["ShippingSheetOut"];
export type SortingSheet = Schemas["SortingSheetOut"];
export type ShipmentStatus = Schemas["ShipmentStatusOut"];
export type ShipOut = Schemas["ShipOut"];
export type ExportJob = Schemas["ExportJobOut"];
export type ExportFormat = ExportJob["format"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getPurchaseSheetApi = (campaignId: number) =>
  http.get<PurchaseSheet>(path(`campaigns/${campaignId}/sheets/purchase`));
export const getShippingSheetApi = (campaignId: number) =>
  http.get<ShippingSheet>(path(`campaigns/${campaignId}/sheets/shipping`));
/** A page of the sorting list's pickup points, with the whole list's totals (the print and the
 * Excel export are whole). */
export const getSortingSheetApi = (campaignId: number, page = 1, pageSize = 20) =>
  http.get<SortingSheet>(path(`campaigns/${campaignId}/sheets/sorting`), { page, page_size: pageSize });
/** A sheet file is built by a background job: start it, poll it, then follow its download_url
 * (a plain navigation, so the browser streams the file instead of JS buffering it). */
export const startExportApi = (campaignId: number, kind: SheetKind, format: ExportFormat) =>
  http.post<ExportJob>(path(`campaigns/${campaignId}/exports`), { kind, format });
export const getExportApi = (exportId: number) => http.get<ExportJob>(path(`exports/${exportId}`));
export const getShipmentsApi = (campaignId: number, page = 1) =>
  http.get<Page<ShipmentStatus>>(path(`campaigns/${campaignId}/shipments`), { page });
export const shipCampaignApi = (campaignId: number, pickupPointIds: number[] | null) =>
  http.post<ShipOut>(path(`campaigns/${campaignId}/ship`), { pickup_point_ids: pickupPointIds });
