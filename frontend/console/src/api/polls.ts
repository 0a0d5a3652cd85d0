// Group polls (群投票): list, create, live result, close, and the winners → a draft campaign.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type PollListItem = S["PollListOut"];
export type PollResult = S["PollResultOut"];
export type PollIn = S["PollIn"];
export type PollOption = S["PollOptionOut"];
export type PollShare = S["PollShareOut"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getPollsApi = () => http.get<PollListItem[]>(path("polls"));
export const getPollApi = (id: number) => http.get<PollResult>(path(`polls/${id}`));
export const createPollApi = (body: PollIn) => http.post<PollResult>(path("polls"), body);
export const closePollApi = (id: number) => http.post<PollResult>(path(`polls/${id}/close`));
export const pollToCampaignApi = (id: number, top: number) =>
  http.post<{ campaign_id: number }>(path(`polls/${id}/campaign`), { top });
export const getPollShareApi = (id: number) => http.get<PollShare>(path(`polls/${id}/share`));
export function uploadPollOptionImageApi(pollId: number, optionId: number, file: File) {
  const form = new FormData();
  form.append("file", file);
  return http.post<PollOption>(path(`polls/${pollId}/options/${optionId}/image`), form);
}
