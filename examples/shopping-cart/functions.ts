import { type Context, defineFunction, intType, playgroundEgressRecord, TerminalError, valueSpec } from 'statefun-aws';
import { type Basket, BasketType, CartMessageType, type Items, type Receipt, StockMessageType } from './messages.js';

/**
 * How long an untouched cart keeps its items. The basket state expires this long after its last write, and a
 * delayed message to the cart, re-armed on every change, releases the reservations at the same moment:
 * expiry alone runs no code, so anything that must *happen* when a cart is abandoned needs the timer.
 */
export const CART_TTL = { minutes: 30 } as const;

const cartSpecs = {
  basket: valueSpec(BasketType, { expireAfterWrite: CART_TTL }),
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
    const basket = ctx.storage.basket; // undefined when empty, checked out, cleared or expired
    switch (msg.type) {
      case 'AddToCart':
        checkQuantity(msg.quantity, 'AddToCart');
        ctx.send({ to: stock, id: msg.itemId, value: { type: 'RequestItem', quantity: msg.quantity } });
        return;

      case 'ItemAvailability': {
        // Replies come from stock, never from the ingress (ingress messages have no caller): a client cannot
        // fill its basket without stock agreeing.
        if (ctx.caller?.typename !== stock.typename || !msg.inStock) return;
        const items = basket?.items ?? {};
        changeBasket(ctx, basket, { ...items, [msg.itemId]: (items[msg.itemId] ?? 0) + msg.quantity });
        return;
      }

      case 'Checkout': {
        if (basket === undefined) return; // nothing to buy
        const receipt: Receipt = { userId: ctx.self.id, items: basket.items };
        ctx.sendEgress(playgroundEgressRecord({ topic: 'receipts', payload: JSON.stringify(receipt) }));
        // The reservations are now sales: stock keeps them.
        forgetBasket(ctx, basket);
        return;
      }

      case 'ClearCart':
        if (basket === undefined) return;
        release(ctx, basket.items);
        forgetBasket(ctx, basket);
        return;

      case 'CartAbandoned':
        // Only the cart's own timer may release its items. The basket it was armed for has expired by now.
        if (ctx.caller?.typename !== ctx.self.typename || ctx.caller.id !== ctx.self.id) return;
        release(ctx, msg.items);
        return;
    }
  },
});

/**
 * Writes the basket and re-arms its abandonment message: sending with the token of the pending one replaces
 * it, so a basket has one, due when the basket expires, carrying the items as they are now.
 *
 * A new basket gets a new token. Timers fire at or after their due time (on AWS up to a minute late), so the
 * message of a basket that just expired may still be on its way when the next basket starts; reusing its
 * token would replace it, and its items would stay reserved for good. A random token is safe here: it is
 * committed together with the state that remembers it, or not at all.
 */
function changeBasket(ctx: CartContext, basket: Basket | undefined, items: Items): void {
  const token = basket?.token ?? `abandon-${crypto.randomUUID()}`;
  ctx.storage.basket = { items, token };
  ctx.sendAfter(CART_TTL, { to: cart, id: ctx.self.id, value: { type: 'CartAbandoned', items } }, { cancellationToken: token });
}

function forgetBasket(ctx: CartContext, basket: Basket): void {
  ctx.storage.basket = undefined;
  ctx.cancelDelayedMessage(basket.token);
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
