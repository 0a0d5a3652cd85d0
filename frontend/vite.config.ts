import { fileURLToPath, URL } from "node:url";
import vue from "@vitejs/plugin-vue";
import { VantResolver } from "@vant/auto-import-resolver";
import Components from "unplugin-vue-components/vite";
import { ElementPlusResolver } from "unplugin-vue-components/resolvers";
import { defineConfig, type Plugin } from "vite";

/**
 * vue-i18n imports Vue as a namespace (`import * as Vue from "vue"`) and reads it by a computed key
 * (`"currentInstance" in Vue`), so the bundler must keep every export of Vue — hydration, Suspense,
 * KeepAlive, custom elements — on every first screen (11 kB gzip). It only ever calls
 * getCurrentInstance (Vue 3.5 has no `currentInstance` export): import just that. The build stops
 * if a vue-i18n upgrade changes the line, rather than quietly shipping all of Vue again.
 */
function vueI18nNamedImport(): Plugin {
  const namespace = "import * as Vue from 'vue';";
  return {
    name: "vue-i18n-named-import",
    apply: "build",
    enforce: "pre",
    transform(code, id) {
      if (!/node_modules\/vue-i18n\/dist\/vue-i18n\.mjs$/.test(id)) return null;
      if (!code.includes(namespace)) throw new Error(`vue-i18n no longer has "${namespace}": see vite.config.ts`);
      return code.replace(
        namespace,
        "import { getCurrentInstance as vueInstance } from 'vue'; const Vue = { getCurrentInstance: vueInstance };",
      );
    },
  };
}

// One project, two apps: the merchant console (Element Plus) and the phone H5 (Vant).
// Components are imported on demand so each page ships only what it uses.
export default defineConfig({
  base: "/static/",
  plugins: [
    vueI18nNamedImport(),
    vue(),
    Components({
      dts: false,
      // Each Element Plus component brings its own CSS (not the whole theme) with it.
      resolvers: [VantResolver(), ElementPlusResolver({ importStyle: "css" })],
    }),
  ],
  // Vue without the Options API (every component here, in Vant and in Element Plus uses setup);
  // vue-i18n: only the Composition API (legacy: false in shared/i18n.ts), no <i18n-t> components,
  // no devtools hooks, and not its message compiler (shared/i18n.ts brings a small one): less
  // framework on every first screen.
  define: {
    __VUE_I18N_LEGACY_API__: "false",
    __VUE_I18N_FULL_INSTALL__: "false",
    __INTLIFY_PROD_DEVTOOLS__: "false",
    __INTLIFY_DROP_MESSAGE_COMPILER__: "true",
    __VUE_OPTIONS_API__: "false",
  },
  resolve: {
    alias: { "@shared": fileURLToPath(new URL("./shared", import.meta.url)) },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // dist/.vite/manifest.json: which chunks and CSS each page pulls in (bench/frontend_weight.py).
    manifest: true,
    rollupOptions: {
      input: {
        console: fileURLToPath(new URL("./console/index.html", import.meta.url)),
        h5: fileURLToPath(new URL("./h5/index.html", import.meta.url)),
      },
      output: {
        // The framework both apps load on every page in one cached file, instead of a dozen
        // small requests in a row on a phone's first screen.
        manualChunks(id: string) {
          if (/node_modules\/(vue|@vue|vue-router|pinia|vue-i18n|@intlify)\//.test(id)) return "framework";
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8000", "/media": "http://127.0.0.1:8000", "/pay": "http://127.0.0.1:8000" },
  },
  test: {
    environment: "happy-dom",
    include: ["**/*.spec.ts"],
    exclude: ["node_modules/**", "dist/**"],
    // Vant's components import their CSS; let Vite (not Node) load them in component tests.
    server: { deps: { inline: ["vant"] } },
  },
});
