import { createPinia } from "pinia";
import { createApp } from "vue";
import "element-plus/dist/index.css";
import { buildI18n } from "@shared/i18n";
import { setFieldLabeler } from "@shared/request";
import App from "./App.vue";
import { fieldLabel } from "./field-labels";
import { router } from "./router";
import "./styles.css";

const locales = import.meta.glob<{ zh: Record<string, unknown>; en: Record<string, unknown> }>("./locales/*.ts", {
  eager: true,
});
export const i18n = buildI18n(locales);
// API errors name the field by its form label (用户名, not username), in every form.
const current = i18n.global.locale as unknown as { value: string };
setFieldLabeler((field) => fieldLabel(field, current.value));

createApp(App).use(createPinia()).use(router).use(i18n).mount("#app");
