import { jsonType } from 'statefun-aws';

/**
 * The messages of the shopping cart app. Each function has one inbox type, a JSON union told apart by `type`,
 * so that `ctx.send({ to: stock, … })` type-checks against what `shop/stock` accepts. Clients send the same
 * JSON through the playground ingress with `Content-Type: application/vnd.<typename>`.
 */

/** Quantities by item id, e.g. `{ "socks": 2 }`. */
export type Items = Readonly<Record<string, number>>;

// ---- shop/user-shopping-cart (one per user id) -------------------------------------------------------------

/** From a client: reserve `quantity` of `itemId` for this cart. */
export interface AddToCart {
  readonly type: 'AddToCart';
  readonly itemId: string;
  readonly quantity: number;
}

/** From a client: give everything in the basket back to stock. */
export interface ClearCart {
  readonly type: 'ClearCart';
}

/** From a client: buy what is in the basket and emit a receipt. */
export interface Checkout {
  readonly type: 'Checkout';
}

/** From `shop/stock`, in reply to a {@link RequestItem}. */
export interface ItemAvailability {
  readonly type: 'ItemAvailability';
  readonly itemId: string;
  readonly quantity: number;
  readonly inStock: boolean;
}

/**
 * From the cart to itself, when its basket has not changed for the cart's time to live. It carries the items
 * to release because, by the time it arrives, the basket state has expired with it.
 */
export interface CartAbandoned {
  readonly type: 'CartAbandoned';
  readonly items: Items;
}

export type CartMessage = AddToCart | ClearCart | Checkout | ItemAvailability | CartAbandoned;
export const CartMessageType = jsonType<CartMessage>('shop/CartMessage');

// ---- shop/stock (one per item id) --------------------------------------------------------------------------

/** From a client (the warehouse): `quantity` more items arrived. */
export interface RestockItem {
  readonly type: 'RestockItem';
  readonly quantity: number;
}

/** From a cart: set `quantity` items aside, answered with an {@link ItemAvailability}. */
export interface RequestItem {
  readonly type: 'RequestItem';
  readonly quantity: number;
}

/** From a cart: items it had set aside and no longer needs. */
export interface ReleaseItem {
  readonly type: 'ReleaseItem';
  readonly quantity: number;
}

export type StockMessage = RestockItem | RequestItem | ReleaseItem;
export const StockMessageType = jsonType<StockMessage>('shop/StockMessage');

// ---- egress ------------------------------------------------------------------------------------------------

/** What a checkout puts on the playground egress topic `receipts`, as the JSON payload. */
export interface Receipt {
  readonly userId: string;
  readonly items: Items;
}

// ---- state ---------------------------------------------------------------------------------------------------

/** A cart's basket: the items reserved in stock for it, and the token of its pending abandonment message. */
export interface Basket {
  readonly items: Items;
  readonly token: string;
}
export const BasketType = jsonType<Basket>('shop/Basket');
