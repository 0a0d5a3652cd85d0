// Phone + SMS code login, which needs the person's agreement to the current privacy policy (PIPL).
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

export type PrivacyPolicy = components["schemas"]["PrivacyPolicyOut"];
export type SmsLoginBody = components["schemas"]["SmsLoginIn"];

export const getPrivacyPolicyApi = () => http.get<PrivacyPolicy>("auth/privacy");

export const sendSmsCodeApi = (phone: string) => http.post("auth/sms/send", { phone });

export const smsLoginApi = (body: SmsLoginBody) => http.post("auth/sms/login", body);
