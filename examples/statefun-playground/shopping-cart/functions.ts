/**
 * The shopping cart of StateFun's playground, written with the official StateFun JS SDK (`apache-flink-statefun`).
 * Two functions keep each other consistent by messaging alone:
 *
 * - `com.example/stock` (id = item id) keeps the count of one item in stock (`stock`, an int). `RestockItem`
 *   adds to it; `RequestItem` from a cart takes the quantity if there is enough, and answers the cart with
 *   `ItemAvailability` (`INSTOCK` or `OUTOFSTOCK`).
 * - `com.example/user-shopping-cart` (id = user id) keeps the basket (`basket`, `{"basket": {item: quantity}}`).
 *   `AddToCart` asks the item's stock; an `INSTOCK` answer puts the quantity into the basket (the answer's caller
 *   is the stock function, whose id is the item). `Checkout` sends a receipt of the basket to the playground
 *   egress topic `receipts`; `ClearCart` gives every item back to stock and empties the basket.
 */
import { type Context, egressMessageBuilder, type Message, messageBuilder, StateFun } from 'apache-flink-statefun';

/** Messages from the ingress (all JSON, `application/vnd.com.example/<Name>`). */
export interface RestockItem {
  readonly itemId: string;
  readonly quantity: number;
}
export interface AddToCart {
  readonly userId: string;
  readonly itemId: string;
  readonly quantity: number;
}
export interface Checkout {
  readonly userId: string;
}
export interface ClearCart {
  readonly userId: string;
}

/** Messages between the functions. */
export interface RequestItem {
  readonly quantity: number;
}
export interface ItemAvailability {
  readonly status: 'INSTOCK' | 'OUTOFSTOCK';
  readonly quantity: number;
}

/** The cart's state. */
export interface Basket {
  readonly basket: Record<string, number>;
}

export const RestockItemType = StateFun.jsonType<RestockItem>('com.example/RestockItem');
export const AddToCartType = StateFun.jsonType<AddToCart>('com.example/AddToCart');
export const CheckoutType = StateFun.jsonType<Checkout>('com.example/Checkout');
export const ClearCartType = StateFun.jsonType<ClearCart>('com.example/ClearCart');
export const RequestItemType = StateFun.jsonType<RequestItem>('com.example/RequestItem');
export const ItemAvailabilityType = StateFun.jsonType<ItemAvailability>('com.example/ItemAvailability');
export const BasketType = StateFun.jsonType<Basket>('com.example/Basket');
export const EgressRecordType = StateFun.jsonType<{ topic: string; payload: string }>('io.statefun.playground/EgressRecord');

const STOCK = 'com.example/stock';

/** The receipt, as the tutorial's Java functions print it: `Receipt{userId='1', details='socks: 3'}`. */
export function receipt(userId: string, basket: Basket): string {
  const details = Object.entries(basket.basket)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([item, quantity]) => `${item}: ${quantity}`)
    .join('\n');
  return `Receipt{userId='${userId}', details='${details}'}`;
}

function stock(context: Context, message: Message): void {
  const storage = context.storage as { stock: number | null };
  const available = storage.stock ?? 0;
  if (message.is(RestockItemType)) {
    storage.stock = available + message.as(RestockItemType)!.quantity;
    return;
  }
  if (message.is(RequestItemType)) {
    const { quantity } = message.as(RequestItemType)!;
    const caller = context.caller;
    if (caller === null) throw new Error('a RequestItem comes from a cart, never from an ingress');
    const inStock = available >= quantity;
    if (inStock) storage.stock = available - quantity;
    const answer: ItemAvailability = { status: inStock ? 'INSTOCK' : 'OUTOFSTOCK', quantity };
    context.send(messageBuilder({ typename: caller.typename, id: caller.id, value: answer, valueType: ItemAvailabilityType }));
    return;
  }
  throw new Error(`${STOCK} does not take ${message.valueTypeName}`);
}

function userShoppingCart(context: Context, message: Message): void {
  const storage = context.storage as { basket: Basket | null };
  if (message.is(AddToCartType)) {
    const { itemId, quantity } = message.as(AddToCartType)!;
    context.send(messageBuilder({ typename: STOCK, id: itemId, value: { quantity }, valueType: RequestItemType }));
    return;
  }
  if (message.is(ItemAvailabilityType)) {
    const { status, quantity } = message.as(ItemAvailabilityType)!;
    const item = context.caller?.id;
    if (item === undefined) throw new Error('an ItemAvailability comes from the stock function, never from an ingress');
    if (status !== 'INSTOCK') return;
    const basket = { ...(storage.basket?.basket ?? {}) };
    basket[item] = (basket[item] ?? 0) + quantity;
    storage.basket = { basket };
    return;
  }
  if (message.is(ClearCartType)) {
    for (const [item, quantity] of Object.entries(storage.basket?.basket ?? {})) {
      context.send(messageBuilder({ typename: STOCK, id: item, value: { itemId: item, quantity }, valueType: RestockItemType }));
    }
    storage.basket = null;
    return;
  }
  if (message.is(CheckoutType)) {
    const basket = storage.basket;
    if (basket === null) return;
    const record = { topic: 'receipts', payload: receipt(context.self.id, basket) };
    context.send(egressMessageBuilder({ typename: 'io.statefun.playground/egress', value: record, valueType: EgressRecordType }));
    return;
  }
  throw new Error(`com.example/user-shopping-cart does not take ${message.valueTypeName}`);
}

/** Binds the shopping cart's functions to `statefun` (a new one by default) and returns it. */
export function shoppingCartFunctions(statefun = new StateFun()): StateFun {
  statefun.bind({ typename: STOCK, fn: stock, specs: [{ name: 'stock', type: StateFun.intType() }] });
  statefun.bind({ typename: 'com.example/user-shopping-cart', fn: userShoppingCart, specs: [{ name: 'basket', type: BasketType }] });
  return statefun;
}
