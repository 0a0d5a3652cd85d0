// Phone + SMS code login, which needs the person's agreement to the current privacy policy (PIPL).
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

export type PrivacyPolicy = components["schemas"]["PrivacyPolicyOut"];
export type SmsLoginBody = components["schemas"]["SmsLoginIn"];

export const getPrivacyPolicyApi = () => http.get<PrivacyPolicy>("auth/privacy");

export type SmsSendBody = components["schemas"]["SmsSendIn"];
export type Captcha = components["schemas"]["CaptchaOut"];

// After a few sends from one network the API answers captcha_required: the code is sent again with
// the picture's id and the characters the person read from it.
export const sendSmsCodeApi = (body: Pick<SmsSendBody, "phone"> & Partial<SmsSendBody>) =>
  http.post("auth/sms/send", body);

export const getCaptchaApi = () => http.get<Captcha>("auth/captcha");

export const smsLoginApi = (body: SmsLoginBody) => http.post("auth/sms/login", body);
