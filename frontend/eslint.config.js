// `make lint` runs eslint (Vue + TypeScript rules) and, separately, `prettier --check` for layout.
import pluginVue from "eslint-plugin-vue";
import { defineConfigWithVueTs, vueTsConfigs } from "@vue/eslint-config-typescript";
import skipFormatting from "@vue/eslint-config-prettier/skip-formatting";

export default defineConfigWithVueTs(
  { ignores: ["dist/**", "node_modules/**", "shared/api-types.ts", "openapi.json"] },
  pluginVue.configs["flat/recommended"],
  vueTsConfigs.recommended,
  skipFormatting,
  {
    rules: {
      // Page files are named after their route (orders-page.vue), as in vue-vben-admin.
      "vue/multi-word-component-names": "off",
      // `const { leader: _dropped, ...rest } = query` is how we omit a key.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { varsIgnorePattern: "^_", argsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
);
