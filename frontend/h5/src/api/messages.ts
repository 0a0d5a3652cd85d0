// Message center: pickup notices and other in-app messages of this shop.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

export type Message = components["schemas"]["MessageOut"];
export type MessagePage = components["schemas"]["PagedMessageOut"];

export const getMessagesApi = (shopId: number, page = 1) => http.get<MessagePage>(`shops/${shopId}/messages`, { page });
export const readMessageApi = (shopId: number, messageId: number) =>
  http.post<Message>(`shops/${shopId}/messages/${messageId}/read`);
export const readAllMessagesApi = (shopId: number) =>
  http.post<components["schemas"]["ReadAllOut"]>(`shops/${shopId}/messages/read-all`);
