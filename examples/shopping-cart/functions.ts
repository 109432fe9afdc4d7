import { type Context, defineFunction, intType, playgroundEgressRecord, TerminalError, valueSpec } from 'statefun-aws';
import { CartMessageType, type Items, ItemsType, type Receipt, StockMessageType } from './messages.js';

/**
 * How long an untouched cart keeps its items. The basket state expires this long after its last write, and a
 * delayed message to the cart, re-armed on every change, releases the reservations at the same moment:
 * expiry alone runs no code, so anything that must *happen* when a cart is abandoned needs the timer.
 */
export const CART_TTL = { minutes: 30 } as const;

/** Names the cart's one pending "abandoned" message; tokens are private to the sending address. */
const ABANDON = 'abandon-cart';

const cartSpecs = {
  /** Items reserved in stock for this cart. */
  basket: valueSpec(ItemsType, { expireAfterWrite: CART_TTL }),
};

type CartContext = Context<typeof cartSpecs>;

/**
 * A user's cart (id = user id). Adding an item asks `shop/stock` to set it aside; only items stock granted go
 * into the basket. Checkout emits a receipt to the playground egress topic `receipts`.
 */
export const cart = defineFunction({
  typename: 'shop/user-shopping-cart',
  specs: cartSpecs,
  accepts: CartMessageType,
  handler(ctx, message) {
    const msg = message.as(CartMessageType);
    switch (msg.type) {
      case 'AddToCart':
        checkQuantity(msg.quantity, 'AddToCart');
        ctx.send({ to: stock, id: msg.itemId, value: { type: 'RequestItem', quantity: msg.quantity } });
        return;

      case 'ItemAvailability': {
        // Replies come from stock, never from the ingress (ingress messages have no caller): a client cannot
        // fill its basket without stock agreeing.
        if (ctx.caller?.typename !== stock.typename || !msg.inStock) return;
        const basket = ctx.storage.basket ?? {};
        changeBasket(ctx, { ...basket, [msg.itemId]: (basket[msg.itemId] ?? 0) + msg.quantity });
        return;
      }

      case 'Checkout': {
        const basket = ctx.storage.basket;
        if (basket === undefined) return; // empty, checked out before, or expired: nothing to buy
        const receipt: Receipt = { userId: ctx.self.id, items: basket };
        ctx.sendEgress(playgroundEgressRecord({ topic: 'receipts', payload: JSON.stringify(receipt) }));
        // The reservations are now sales: stock keeps them.
        forgetBasket(ctx);
        return;
      }

      case 'ClearCart':
        release(ctx, ctx.storage.basket ?? {});
        forgetBasket(ctx);
        return;

      case 'CartAbandoned':
        // Only the cart's own timer may release its items. Its basket has expired by now, at the same moment.
        if (ctx.caller?.typename !== ctx.self.typename || ctx.caller.id !== ctx.self.id) return;
        release(ctx, msg.items);
        return;
    }
  },
});

/**
 * Writes the basket and re-arms the abandonment timer. Reusing the token replaces the pending message, so a
 * cart has at most one, due one time-to-live after the last change: the moment its basket expires.
 */
function changeBasket(ctx: CartContext, items: Items): void {
  ctx.storage.basket = items;
  ctx.sendAfter(CART_TTL, { to: cart, id: ctx.self.id, value: { type: 'CartAbandoned', items } }, { cancellationToken: ABANDON });
}

function forgetBasket(ctx: CartContext): void {
  ctx.storage.basket = undefined;
  ctx.cancelDelayedMessage(ABANDON);
}

function release(ctx: CartContext, items: Items): void {
  for (const [itemId, quantity] of Object.entries(items)) {
    ctx.send({ to: stock, id: itemId, value: { type: 'ReleaseItem', quantity } });
  }
}

/**
 * The stock of one item (id = item id). Reservations leave the count at once and come back when a cart is
 * cleared or abandoned. No request ids or retries are needed: every message is applied exactly once.
 */
export const stock = defineFunction({
  typename: 'shop/stock',
  specs: { available: valueSpec(intType) },
  accepts: StockMessageType,
  handler(ctx, message) {
    const msg = message.as(StockMessageType);
    const available = ctx.storage.available ?? 0;
    switch (msg.type) {
      case 'RestockItem':
        checkQuantity(msg.quantity, 'RestockItem');
        ctx.storage.available = available + msg.quantity;
        return;

      case 'ReleaseItem':
        if (ctx.caller?.typename !== cart.typename) return; // only carts give items back
        ctx.storage.available = available + msg.quantity;
        return;

      case 'RequestItem': {
        if (ctx.caller?.typename !== cart.typename) return; // a reservation needs a cart to answer
        const inStock = available >= msg.quantity;
        if (inStock) ctx.storage.available = available - msg.quantity;
        ctx.send({ to: cart, id: ctx.caller.id, value: { type: 'ItemAvailability', itemId: ctx.self.id, quantity: msg.quantity, inStock } });
        return;
      }
    }
  },
});

/**
 * Refuses a quantity a client got wrong. A {@link TerminalError} is not retried: the address parks with the
 * message, visible in `statefun parked`, until it is skipped.
 */
function checkQuantity(quantity: unknown, what: string): void {
  if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity <= 0) {
    throw new TerminalError(`${what} needs a positive whole quantity, got ${JSON.stringify(quantity)}`);
  }
}

/** Every function of the app, for the module and the tests. */
export const functions = [cart, stock] as const;
