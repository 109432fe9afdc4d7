import { describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from 'statefun-aws/testing';
import { cart, functions, stock } from './functions.js';
import type { CartMessage, Receipt, StockMessage } from './messages.js';

function shop(): TestRuntime {
  return createTestRuntime({ functions: [...functions] });
}

const toCart = (t: TestRuntime, userId: string, value: CartMessage, idempotencyKey?: string) =>
  t.send({ to: cart, id: userId, value, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) });
const toStock = (t: TestRuntime, itemId: string, value: StockMessage) => t.send({ to: stock, id: itemId, value });

const receipts = (t: TestRuntime): Receipt[] => t.playgroundPayloads('receipts').map((p) => JSON.parse(p) as Receipt);
const available = (t: TestRuntime, itemId: string) => t.state(stock, itemId).available;
/** The items in a user's basket; its token is random. */
const basket = (t: TestRuntime, userId: string) => t.state(cart, userId).basket?.items;
const cartAddress = (userId: string) => ({ typename: cart.typename, id: userId });

describe('shopping cart', () => {
  it('reservesWhatIsInStockAndEmitsAReceiptOnCheckout', async () => {
    const t = shop();
    await toStock(t, 'socks', { type: 'RestockItem', quantity: 5 });
    await toStock(t, 'hat', { type: 'RestockItem', quantity: 1 });

    await toCart(t, 'alice', { type: 'AddToCart', itemId: 'socks', quantity: 2 });
    await toCart(t, 'alice', { type: 'AddToCart', itemId: 'hat', quantity: 1 });
    await toCart(t, 'alice', { type: 'AddToCart', itemId: 'hat', quantity: 1 }); // the last hat is gone
    expect(basket(t, 'alice')).toEqual({ socks: 2, hat: 1 });
    expect(available(t, 'socks')).toBe(3);
    expect(available(t, 'hat')).toBe(0);

    // The cart asked stock, and stock answered the cart: one request and one reply per AddToCart.
    expect(t.messages({ from: cart, to: stock })).toHaveLength(3);
    expect(t.messages({ from: stock, to: cart }).map((m) => m.as(cart.accepts!))).toContainEqual({
      type: 'ItemAvailability',
      itemId: 'hat',
      quantity: 1,
      inStock: false,
    });

    await toCart(t, 'alice', { type: 'Checkout' });
    expect(receipts(t)).toEqual([{ userId: 'alice', items: { socks: 2, hat: 1 } }]);
    expect(basket(t, 'alice')).toBeUndefined();
    // Sold: stock keeps the reservations, and the abandonment timer is gone.
    expect(available(t, 'socks')).toBe(3);
    expect(t.pendingTimers(cartAddress('alice'))).toEqual([]);

    await toCart(t, 'alice', { type: 'Checkout' });
    expect(receipts(t)).toHaveLength(1);
  });

  it('clearingTheCartGivesTheItemsBack', async () => {
    const t = shop();
    await toStock(t, 'socks', { type: 'RestockItem', quantity: 5 });
    await toCart(t, 'bob', { type: 'AddToCart', itemId: 'socks', quantity: 4 });
    expect(available(t, 'socks')).toBe(1);

    await toCart(t, 'bob', { type: 'ClearCart' });
    expect(available(t, 'socks')).toBe(5);
    expect(basket(t, 'bob')).toBeUndefined();
    expect(t.pendingTimers(cartAddress('bob'))).toEqual([]);
  });

  it('anAbandonedCartExpiresAndReleasesItsReservations', async () => {
    const t = shop();
    await toStock(t, 'socks', { type: 'RestockItem', quantity: 5 });
    await toCart(t, 'carol', { type: 'AddToCart', itemId: 'socks', quantity: 2 });

    await t.advance({ minutes: 29 });
    expect(basket(t, 'carol')).toEqual({ socks: 2 });
    expect(available(t, 'socks')).toBe(3);

    await t.advance({ minutes: 1 });
    expect(basket(t, 'carol')).toBeUndefined(); // expired after write
    expect(available(t, 'socks')).toBe(5); // and the timer gave the socks back
    expect(t.pendingTimers(cartAddress('carol'))).toEqual([]);

    await toCart(t, 'carol', { type: 'Checkout' });
    expect(receipts(t)).toEqual([]);
  });

  it('everyChangeToTheBasketRestartsItsThirtyMinutes', async () => {
    const t = shop();
    await toStock(t, 'socks', { type: 'RestockItem', quantity: 5 });
    await toStock(t, 'hat', { type: 'RestockItem', quantity: 5 });
    await toCart(t, 'dave', { type: 'AddToCart', itemId: 'socks', quantity: 1 });
    await t.advance({ minutes: 20 });
    await toCart(t, 'dave', { type: 'AddToCart', itemId: 'hat', quantity: 1 });
    expect(t.pendingTimers(cartAddress('dave'))).toHaveLength(1); // re-armed, not a second timer

    await t.advance({ minutes: 29 }); // 49 minutes after the first item, 29 after the last change
    expect(basket(t, 'dave')).toEqual({ socks: 1, hat: 1 });
    expect([available(t, 'socks'), available(t, 'hat')]).toEqual([4, 4]);

    await t.advance({ minutes: 1 });
    expect(basket(t, 'dave')).toBeUndefined();
    expect([available(t, 'socks'), available(t, 'hat')]).toEqual([5, 5]);
  });

  it('aBasketStartedJustAfterExpiryLeavesTheExpiredOnesReleaseAlone', async () => {
    const t = shop();
    const items = ['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9', 'i10'];
    for (const itemId of items) await toStock(t, itemId, { type: 'RestockItem', quantity: 1 });
    await toCart(t, 'frank', { type: 'AddToCart', itemId: 'i0', quantity: 1 });
    await t.advance({ minutes: 29, seconds: 59, milliseconds: 500 });

    // Half a second before the basket expires, ten more items are granted, but a crash holds their replies
    // up until after it has expired. The expired basket's message, due meanwhile, queues behind them: ten
    // replies fill a turn, so it comes a turn later, after the next basket has started.
    let cartCommits = 0;
    t.faults.crashBeforeCommit({ where: (address) => address.typename === cart.typename && ++cartCommits === 2 });
    await Promise.all(items.slice(1).map((itemId) => t.ingest({ to: cart, id: 'frank', value: { type: 'AddToCart', itemId, quantity: 1 } })));
    await t.run();
    await t.advance({ seconds: 1 });
    expect(t.faults.injected.crashesBeforeCommit).toBe(1);
    expect(Object.keys(basket(t, 'frank') ?? {})).toEqual(items.slice(1));

    // Both baskets are released: the new one did not replace the old one's message (it has its own token).
    await t.advance({ minutes: 30 });
    expect(items.map((itemId) => available(t, itemId))).toEqual(items.map(() => 1));
  });

  it('aClientCannotForgeReplies', async () => {
    const t = shop();
    await toStock(t, 'socks', { type: 'RestockItem', quantity: 1 });
    await toCart(t, 'mallory', { type: 'ItemAvailability', itemId: 'socks', quantity: 100, inStock: true });
    await toCart(t, 'mallory', { type: 'CartAbandoned', items: { socks: 100 } });
    await toStock(t, 'socks', { type: 'ReleaseItem', quantity: 100 });
    expect(basket(t, 'mallory')).toBeUndefined();
    expect(available(t, 'socks')).toBe(1);
  });

  it('aBadQuantityParksTheCartUntilSkipped', async () => {
    const t = shop();
    await toCart(t, 'erin', { type: 'AddToCart', itemId: 'socks', quantity: -1 });
    const [parked] = await t.parked();
    expect(parked?.address).toEqual(cartAddress('erin'));
    expect(parked?.info).toMatchObject({ reason: expect.stringContaining('positive whole quantity') as unknown });

    await t.skip(cartAddress('erin'));
    expect(await t.parked()).toEqual([]);
  });

  describe('under faults', () => {
    /** A day in the shop: two users, one checks out, one abandons their cart. */
    async function aDayInTheShop(t: TestRuntime) {
      await toStock(t, 'socks', { type: 'RestockItem', quantity: 10 });
      await toStock(t, 'hat', { type: 'RestockItem', quantity: 2 });
      // Ingress messages with an Idempotency-Key, so that a duplicate of them can be injected too.
      await toCart(t, 'alice', { type: 'AddToCart', itemId: 'socks', quantity: 3 }, 'a1');
      await toCart(t, 'bob', { type: 'AddToCart', itemId: 'hat', quantity: 2 }, 'b1');
      await toCart(t, 'alice', { type: 'AddToCart', itemId: 'hat', quantity: 1 }, 'a2'); // none left
      await toCart(t, 'alice', { type: 'Checkout' }, 'a3');
      await t.advance({ hours: 1 }); // bob walks away
      return {
        receipts: receipts(t),
        stock: { socks: available(t, 'socks'), hat: available(t, 'hat') },
        baskets: { alice: basket(t, 'alice'), bob: basket(t, 'bob') },
        parked: await t.parked(),
      };
    }

    it('aCrashAfterEachCommitChangesNothing', async () => {
      const expected = await aDayInTheShop(shop());
      expect(expected.receipts).toEqual([{ userId: 'alice', items: { socks: 3 } }]);
      expect(expected.stock).toEqual({ socks: 7, hat: 2 });

      const t = shop();
      t.faults.crashAfterCommit({ where: cart, times: 5 }).crashAfterCommit({ where: stock, times: 5 });
      expect(await aDayInTheShop(t)).toEqual(expected);
      expect(t.faults.injected.crashesAfterCommit).toBe(10);
    });

    it('duplicateDeliveriesChangeNothing', async () => {
      const expected = await aDayInTheShop(shop());

      const t = shop();
      // Copies at once and after SQS's 5-minute dedup window: replies, reservations, releases, client retries.
      t.faults.duplicateDelivery({ where: cart, times: 4 }).duplicateDelivery({ where: stock, times: 4, after: { minutes: 10 } });
      expect(await aDayInTheShop(t)).toEqual(expected);
      expect(t.faults.injected.duplicates).toBe(8);
    });
  });
});
