// The logged-in staff member, the shop they are working in, and what their role lets them do.
import { defineStore } from "pinia";
import { computed, ref } from "vue";
import { can, fetchMe, staffPermissions, type Me } from "@shared/auth";
import { http } from "@shared/request";

const SHOP_KEY = "tuangou.console.shop";

export const useSessionStore = defineStore("session", () => {
  const me = ref<Me | null>(null);
  const loaded = ref(false);
  const shopId = ref<number | null>(Number(localStorage.getItem(SHOP_KEY)) || null);

  const shops = computed(() => me.value?.staff_of ?? []);
  const shop = computed(() => shops.value.find((entry) => entry.shop_id === shopId.value) ?? null);
  const permissions = computed(() => staffPermissions(me.value, shopId.value));

  async function load(): Promise<Me | null> {
    me.value = await fetchMe();
    loaded.value = true;
    if (me.value && !shops.value.some((entry) => entry.shop_id === shopId.value)) {
      selectShop(shops.value[0]?.shop_id ?? null);
    }
    return me.value;
  }

  function selectShop(id: number | null) {
    shopId.value = id;
    if (id) localStorage.setItem(SHOP_KEY, String(id));
    else localStorage.removeItem(SHOP_KEY);
  }

  async function logout() {
    await http.post("auth/logout");
    me.value = null;
  }

  /** Console API path of the current shop: consolePath("products") -> "console/shops/1/products" */
  function consolePath(rest: string): string {
    return `console/shops/${shopId.value}/${rest}`;
  }

  return {
    me,
    loaded,
    shopId,
    shops,
    shop,
    permissions,
    load,
    selectShop,
    logout,
    consolePath,
    can: (p?: string | string[]) => can(permissions.value, p),
  };
});
