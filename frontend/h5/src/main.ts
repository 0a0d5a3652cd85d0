import { createPinia } from "pinia";
import { createApp } from "vue";
import { buildI18n } from "@shared/i18n";
import App from "./App.vue";
import { router } from "./router";
import "./styles.css";

const locales = import.meta.glob<{ zh: Record<string, unknown>; en: Record<string, unknown> }>("./locales/*.ts", {
  eager: true,
});
export const i18n = buildI18n(locales);

createApp(App).use(createPinia()).use(router).use(i18n).mount("#app");
