import { createPinia } from "pinia";
import { createApp } from "vue";
// Element Plus styles come with each component the templates use (vite.config.ts); ElMessage and
// ElMessageBox are called from scripts, where the resolver does not look, so theirs load here.
import "element-plus/es/components/message/style/css";
import "element-plus/es/components/message-box/style/css";
import { buildI18n, type Messages } from "@shared/i18n";
import { setFieldLabeler } from "@shared/request";
import App from "./App.vue";
import { fieldLabel } from "./field-labels";
import { loadLocale } from "./locale";
import { router } from "./router";
import "./styles.css";

// Chinese only here (each file's `zh`); English comes when chosen (./locale.ts).
const chinese = import.meta.glob<Messages>("./locales/*.ts", { eager: true, import: "zh" });
export const i18n = buildI18n(chinese);
// API errors name the field by its form label (用户名, not username), in every form.
const current = i18n.global.locale as unknown as { value: string };
setFieldLabeler((field) => fieldLabel(field, current.value));

const app = createApp(App).use(createPinia()).use(router).use(i18n);
loadLocale(i18n.global, i18n.global.locale.value).finally(() => app.mount("#app"));
