import { createPinia } from "pinia";
import { createApp } from "vue";
// Element Plus styles come with each component the templates use (vite.config.ts); ElMessage and
// ElMessageBox are called from scripts, where the resolver does not look, so theirs load here.
import "element-plus/es/components/message/style/css";
import "element-plus/es/components/message-box/style/css";
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
