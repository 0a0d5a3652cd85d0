// Recruitment plan (招募计划): the plan, its starting templates, and the QR / poster images.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type RecruitmentPlan = S["RecruitmentPlanOut"];
export type RecruitmentPlanInput = S["RecruitmentPlanIn"];
export type PlanTemplate = S["PlanTemplateOut"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getRecruitmentPlanApi = () => http.get<RecruitmentPlan>(path("recruitment-plan"));
export const updateRecruitmentPlanApi = (body: RecruitmentPlanInput) =>
  http.put<RecruitmentPlan>(path("recruitment-plan"), body);
export const getPlanTemplatesApi = () => http.get<PlanTemplate[]>(path("recruitment-plan/templates"));

/** Images built by the server (sharing app): used as <img src> and download links. */
export const recruitmentQrUrl = () => `/api/${path("recruitment-plan/qr.png")}`;
// The mini-program code (小程序码) for the same page; answers 400 when the shop has no mini-program.
export const recruitmentWxacodeUrl = () => `/api/${path("recruitment-plan/wxacode.png")}`;
export const recruitmentPosterUrl = () => `/api/${path("recruitment-plan/poster.png")}`;
