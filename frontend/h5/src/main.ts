import { createPinia } from "pinia";
import { createApp } from "vue";
import { buildI18n } from "@shared/i18n";
import App from "./App.vue";
import { router } from "./router";
// Vant's function components (showToast, showDialog) are not templates, so the on-demand
// resolver never sees them: their styles are loaded once here, for every page.
import "vant/es/toast/style";
import "vant/es/dialog/style";
import "./styles.css";

const locales = import.meta.glob<{ zh: Record<string, unknown>; en: Record<string, unknown> }>("./locales/*.ts", {
  eager: true,
});
export const i18n = buildI18n(locales);

createApp(App).use(createPinia()).use(router).use(i18n).mount("#app");
