import { createPinia, setActivePinia } from "pinia";
import { nextTick } from "vue";
import { beforeEach, describe, expect, it } from "vitest";
import { useCartStore } from "./cart";

describe("cart store", () => {
  beforeEach(() => {
    localStorage.clear();
    setActivePinia(createPinia());
  });

  it("should total the lines in fen at the campaign's prices", () => {
    const cart = useCartStore();
    cart.open(1, 10);
    cart.add(101);
    cart.add(101);
    cart.add(102);
    expect(cart.count).toBe(3);
    expect(
      cart.totalFen([
        { id: 101, price_fen: 3290 },
        { id: 102, price_fen: 1990 },
      ]),
    ).toBe(8570);
  });

  it("should drop a line set to zero and ignore items no longer on sale", () => {
    const cart = useCartStore();
    cart.open(1, 10);
    cart.setQuantity(101, 2);
    cart.setQuantity(103, 1);
    cart.setQuantity(101, 0);
    expect(cart.lines).toEqual([{ itemId: 103, quantity: 1 }]);
    expect(cart.totalFen([{ id: 101, price_fen: 3290 }])).toBe(0);
  });

  it("should keep one cart per shop and campaign across reloads", async () => {
    const cart = useCartStore();
    cart.open(1, 10);
    cart.add(101, 2);
    await nextTick();
    cart.open(1, 11);
    expect(cart.count).toBe(0);

    setActivePinia(createPinia());
    const reloaded = useCartStore();
    reloaded.open(1, 10);
    expect(reloaded.quantityOf(101)).toBe(2);
  });
});
