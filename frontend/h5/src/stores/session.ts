// The person using the phone app: logged in by SMS code; a leader of the shop sees the leader center.
import { defineStore } from "pinia";
import { computed, ref } from "vue";
import { fetchMe, type Me } from "@shared/auth";
import { http } from "@shared/request";
import { sendSmsCodeApi, smsLoginApi } from "../api/auth";

export const useSessionStore = defineStore("h5-session", () => {
  const me = ref<Me | null>(null);
  const loaded = ref(false);

  async function load(): Promise<Me | null> {
    me.value = await fetchMe();
    loaded.value = true;
    return me.value;
  }

  function leaderOf(shopId: number) {
    return me.value?.leader_of.find((entry) => entry.shop_id === shopId && entry.status !== "cleared") ?? null;
  }

  async function sendCode(phone: string, captcha?: { captcha_id: string; captcha_answer: string }) {
    await sendSmsCodeApi({ phone, ...captcha });
  }

  // agreePrivacy: the person ticked 我已阅读并同意《隐私政策》 for this version of the policy.
  async function login(phone: string, code: string, agreePrivacy: boolean, privacyVersion: string) {
    await smsLoginApi({
      phone,
      code,
      agree_privacy: agreePrivacy,
      privacy_version: privacyVersion,
      issue_token: false,
      wechat_ticket: "",
    });
    await load();
  }

  async function logout() {
    await http.post("auth/logout");
    me.value = null;
  }

  const loggedIn = computed(() => me.value !== null);
  return { me, loaded, loggedIn, load, leaderOf, sendCode, login, logout };
});
