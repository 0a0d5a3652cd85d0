// Group polls (群投票): the member's vote page and the leader's own polls.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

type S = components["schemas"];
export type PollResult = S["PollResultOut"];
export type PollShare = S["PollShareOut"];
export type PollListItem = S["PollListOut"];
export type PollIn = S["PollIn"];

export const getPollApi = (shopId: number, pollId: number) => http.get<PollResult>(`shops/${shopId}/polls/${pollId}`);
export const getPollShareApi = (shopId: number, pollId: number, leader?: number) =>
  http.get<PollShare>(`shops/${shopId}/polls/${pollId}/share`, leader ? { leader } : {});
export const votePollApi = (shopId: number, pollId: number, optionId: number) =>
  http.put<PollResult>(`shops/${shopId}/polls/${pollId}/vote`, { option_id: optionId });
export const getLeaderPollsApi = (shopId: number) => http.get<PollListItem[]>(`shops/${shopId}/leader/polls`);
export const createLeaderPollApi = (shopId: number, body: PollIn) =>
  http.post<PollResult>(`shops/${shopId}/leader/polls`, body);
export const getLeaderPollShareApi = (shopId: number, pollId: number) =>
  http.get<PollShare>(`shops/${shopId}/leader/polls/${pollId}/share`);
