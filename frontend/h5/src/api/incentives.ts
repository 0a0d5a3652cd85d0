// Leader incentives (团长激励) in the leader center: 破蛋 progress, first orders, referrals, level, team PK.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

export type MyIncentives = components["schemas"]["MyIncentivesOut"];
export type MyReferral = components["schemas"]["ReferralOut"];

export const getMyIncentivesApi = (shopId: number) => http.get<MyIncentives>(`shops/${shopId}/leader/incentives`);
