/**
 * StateFun's playground shopping cart (examples/statefun-playground/shopping-cart) end to end under
 * `statefun dev`: its module.yaml as written for StateFun, its functions on the official JS SDK, and the
 * README's curl commands, with the stock and basket read back through `statefun state`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { shoppingCartFunctions } from '../../../examples/statefun-playground/shopping-cart/functions.js';
import { eventually, stateValues } from './harness.js';
import { curl, curlCommands, curlUntilFound, startTutorial, type Tutorial } from './tutorials.js';

let tutorial: Tutorial | undefined;

afterEach(async () => {
  await tutorial?.stop();
  tutorial = undefined;
});

describe('the shopping cart tutorial', () => {
  it('restocksReservesChecksOutClearsAndRefusesWhatIsNotInStockAsTheTutorialShows', async () => {
    tutorial = await startTutorial('shopping-cart', shoppingCartFunctions());
    const { dev, readme, app } = tutorial;
    const commands = curlCommands(readme);
    const [restock, addToCart, checkout, receipts, clearCart, tooMany] = commands;
    expect(commands).toHaveLength(6);
    expect(restock).toBe(`curl -X PUT -H "Content-Type: application/vnd.com.example/RestockItem" -d '{"itemId": "socks", "quantity": 50}' localhost:8090/com.example/stock/socks`);
    expect(addToCart).toBe(`curl -X PUT -H "Content-Type: application/vnd.com.example/AddToCart" -d '{"userId": "1", "quantity": 3, "itemId": "socks"}' localhost:8090/com.example/user-shopping-cart/1`);
    expect(checkout).toBe(`curl -X PUT -H "Content-Type: application/vnd.com.example/Checkout" -d '{"userId": "1"}' localhost:8090/com.example/user-shopping-cart/1`);
    expect(receipts).toBe('curl -X GET localhost:8091/receipts');
    const cart = (): Promise<Record<string, unknown>> => stateValues(app.dataDir, 'com.example/user-shopping-cart/1');
    const socks = async (): Promise<unknown> => (await stateValues(app.dataDir, 'com.example/stock/socks')).stock;

    expect(await curl(dev, restock!)).toEqual({ status: 200, body: '' });
    expect(await curl(dev, addToCart!)).toEqual({ status: 200, body: '' });
    // The stock answers the cart a message later; the README's script waits for the basket, so does this.
    await eventually(async () => JSON.stringify(await cart()) === JSON.stringify({ basket: { basket: { socks: 3 } } }), 10_000, 'socks in the basket');
    expect(await socks()).toBe(47);

    expect(await curl(dev, checkout!)).toEqual({ status: 200, body: '' });
    expect(await curlUntilFound(dev, receipts!)).toBe(`Receipt{userId='1', details='socks: 3'}`);
    expect((await curl(dev, receipts!)).status).toBe(404);

    expect(await curl(dev, clearCart!)).toEqual({ status: 200, body: '' });
    await eventually(async () => (await socks()) === 50, 10_000, 'the socks back in stock');
    expect(await cart()).toEqual({});

    // 100 socks are not in stock: the basket stays empty, the stock untouched, a checkout sends no receipt.
    expect(await curl(dev, tooMany!)).toEqual({ status: 200, body: '' });
    await eventually(
      () => tutorial!.endpoint.requestsFor('com.example/user-shopping-cart/1').some((r) => r.args.some((a) => a.includes('OUTOFSTOCK')) && r.outcome === 'result'),
      10_000,
      'the cart told OUTOFSTOCK',
    );
    expect(await cart()).toEqual({});
    expect(await socks()).toBe(50);
    await curl(dev, checkout!);
    await dev.server.runtime.idle();
    expect((await curl(dev, receipts!)).status).toBe(404);
  });

  it('keepsCartsOfDifferentUsersApartWhileTheyShareTheStock', async () => {
    tutorial = await startTutorial('shopping-cart', shoppingCartFunctions());
    const { dev, readme, app } = tutorial;
    const [restock, addToCart, checkout, receipts] = curlCommands(readme);
    const forUser = (command: string, user: string): string => command.replaceAll('"userId": "1"', `"userId": "${user}"`).replace('user-shopping-cart/1', `user-shopping-cart/${user}`);
    await curl(dev, restock!.replace('"quantity": 50', '"quantity": 5'));
    await curl(dev, forUser(addToCart!, '1'));
    await curl(dev, forUser(addToCart!, '2'));
    // 5 socks, two requests of 3: exactly one user gets them.
    await eventually(
      async () => {
        const baskets = await Promise.all(['1', '2'].map((u) => stateValues(app.dataDir, `com.example/user-shopping-cart/${u}`)));
        return baskets.filter((b) => b.basket !== undefined).length === 1 && tutorial!.endpoint.seen.some((r) => r.args.some((a) => a.includes('OUTOFSTOCK')));
      },
      10_000,
      'one basket with socks, one refusal',
    );
    expect((await stateValues(app.dataDir, 'com.example/stock/socks')).stock).toBe(2);
    const winner = (await stateValues(app.dataDir, 'com.example/user-shopping-cart/1')).basket !== undefined ? '1' : '2';
    await curl(dev, forUser(checkout!, winner));
    expect(await curlUntilFound(dev, receipts!)).toBe(`Receipt{userId='${winner}', details='socks: 3'}`);
  });
});
