// 反馈: a leader's feedback to the shop (quality problem with photos, product request, pickup point)
// and the thread with the shop's replies.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";

type Schemas = components["schemas"];
export type Feedback = Schemas["FeedbackOut"];
export type FeedbackDetail = Schemas["FeedbackDetailOut"];
export type FeedbackIn = Schemas["FeedbackIn"];
export type FeedbackKind = FeedbackIn["kind"];

const base = (shopId: number) => `shops/${shopId}/leader/feedback`;

export const getMyFeedbackApi = (shopId: number, page = 1) => http.get<Page<Feedback>>(base(shopId), { page });
export const getFeedbackApi = (shopId: number, id: number) => http.get<FeedbackDetail>(`${base(shopId)}/${id}`);
export const sendFeedbackApi = (shopId: number, body: FeedbackIn) => http.post<FeedbackDetail>(base(shopId), body);
export const addFeedbackPhotoApi = (shopId: number, id: number, file: File) => {
  const form = new FormData();
  form.append("file", file);
  return http.post<Schemas["FeedbackPhotoOut"]>(`${base(shopId)}/${id}/photos`, form);
};
export const replyFeedbackApi = (shopId: number, id: number, body: string) =>
  http.post<FeedbackDetail>(`${base(shopId)}/${id}/replies`, { body });
