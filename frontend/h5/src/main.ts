import { createPinia } from "pinia";
import { createApp } from "vue";
import { buildI18n, type Messages } from "@shared/i18n";
import App from "./App.vue";
import { loadLocale } from "./locale";
import { router } from "./router";
// Vant's function components (showToast, showDialog) are not templates, so the on-demand
// resolver never sees them: their styles are loaded once here, for every page.
import "vant/es/toast/style";
import "vant/es/dialog/style";
import "./styles.css";

// Chinese only here; English comes from locales/en/ when chosen (./locale.ts).
const chinese = import.meta.glob<Messages>("./locales/*.ts", { eager: true, import: "zh" });
export const i18n = buildI18n(chinese);

const app = createApp(App).use(createPinia()).use(router).use(i18n);
loadLocale(i18n.global, i18n.global.locale.value).finally(() => app.mount("#app"));
