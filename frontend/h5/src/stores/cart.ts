// The cart: one per shop and campaign (an order belongs to one campaign), kept in localStorage so a
// reload or a trip to the pay page loses nothing. Quantities per campaign item; prices stay on
// the server's campaign (fen) and are only multiplied here for the submit bar.
import { defineStore } from "pinia";
import { computed, ref, watch } from "vue";

const STORAGE_PREFIX = "tuangou.h5.cart";

export interface CartLine {
  itemId: number;
  quantity: number;
}

export interface PricedItem {
  id: number;
  price_fen: number;
}

function storageKey(shopId: number, campaignId: number) {
  return `${STORAGE_PREFIX}.${shopId}.${campaignId}`;
}

function load(key: string): Record<number, number> {
  try {
    const parsed = JSON.parse(localStorage.getItem(key) ?? "{}") as Record<string, number>;
    const result: Record<number, number> = {};
    for (const [id, quantity] of Object.entries(parsed)) {
      if (Number.isInteger(quantity) && quantity > 0) result[Number(id)] = quantity;
    }
    return result;
  } catch {
    return {};
  }
}

export const useCartStore = defineStore("h5-cart", () => {
  const shopId = ref(0);
  const campaignId = ref(0);
  const quantities = ref<Record<number, number>>({});

  /** Switch to the cart of this campaign (loading what was kept). */
  function open(shop: number, campaign: number) {
    if (shop === shopId.value && campaign === campaignId.value) return;
    shopId.value = shop;
    campaignId.value = campaign;
    quantities.value = load(storageKey(shop, campaign));
  }

  watch(
    quantities,
    (value) => {
      if (shopId.value) localStorage.setItem(storageKey(shopId.value, campaignId.value), JSON.stringify(value));
    },
    { deep: true },
  );

  function quantityOf(itemId: number) {
    return quantities.value[itemId] ?? 0;
  }

  function setQuantity(itemId: number, quantity: number) {
    if (quantity > 0) quantities.value[itemId] = Math.floor(quantity);
    else delete quantities.value[itemId];
  }

  function add(itemId: number, by = 1) {
    setQuantity(itemId, quantityOf(itemId) + by);
  }

  function clear() {
    quantities.value = {};
  }

  const lines = computed<CartLine[]>(() =>
    Object.entries(quantities.value).map(([id, quantity]) => ({ itemId: Number(id), quantity })),
  );
  const count = computed(() => lines.value.reduce((sum, line) => sum + line.quantity, 0));

  /** Total in fen for the campaign's current prices; items no longer on sale count nothing. */
  function totalFen(items: PricedItem[]): number {
    const prices = new Map(items.map((item) => [item.id, item.price_fen]));
    return lines.value.reduce((sum, line) => sum + (prices.get(line.itemId) ?? 0) * line.quantity, 0);
  }

  return { shopId, campaignId, quantities, lines, count, open, quantityOf, setQuantity, add, clear, totalFen };
});
