import { describe, expect, it } from 'vitest';
import { stringType } from 'statefun-aws';
import { HttpError } from '../../../runtime/local/dev/http-util.js';
import { mapPlaygroundRequest, parseTarget, stringWrapper, typenameOf } from '../../../runtime/local/dev/playground-request.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function httpError(action: () => unknown): HttpError {
  try {
    action();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('playground ingress request mapping', () => {
  it('takesTheAddressFromThePath', () => {
    expect(parseTarget('/example/greeter/Bob')).toEqual({ typename: 'example/greeter', id: 'Bob' });
    expect(parseTarget('/example/greeter/Bob/')).toEqual({ typename: 'example/greeter', id: 'Bob' });
    expect(parseTarget('/example/greeter/Bob?x=1')).toEqual({ typename: 'example/greeter', id: 'Bob' });
    expect(parseTarget('/com.acme.shop/cart/a%2Fb%20c')).toEqual({ typename: 'com.acme.shop/cart', id: 'a/b c' });
  });

  it('refusesPathsThatAreNotNamespaceTypeId', () => {
    for (const path of ['/', '/example', '/example/greeter', '/example/greeter/', '/a/b/c/d', '//greeter/x', '/a//x', 'a/b/c']) {
      const error = httpError(() => parseTarget(path));
      expect(error.status, path).toBe(400);
      expect(error.message).toContain('please specify /<namespace>/<function type>/<function id>');
    }
    expect(httpError(() => parseTarget('/a/b/%E0%A4%A')).message).toMatch(/bad percent-encoding in "%E0%A4%A"/);
    expect(httpError(() => parseTarget('/a%2Fb/c/d')).message).toMatch(/has a "\/" in its namespace/);
  });

  it('readsTheTypenameFromAVndContentTypeAndDefaultsToString', () => {
    expect(typenameOf('application/vnd.example/GreetRequest')).toBe('example/GreetRequest');
    expect(typenameOf('Application/VND.example/GreetRequest; charset=utf-8')).toBe('example/GreetRequest');
    expect(typenameOf('application/vnd.type.googleapis.com/com.acme.Order')).toBe('type.googleapis.com/com.acme.Order');
    expect(typenameOf(undefined)).toBe('io.statefun.types/string');
    expect(typenameOf('application/json')).toBe('io.statefun.types/string');
    expect(typenameOf('application/x-www-form-urlencoded')).toBe('io.statefun.types/string');
    const error = httpError(() => typenameOf('application/vnd.nonsense'));
    expect(error.status).toBe(415);
    expect(error.message).toContain('"application/vnd.nonsense"');
  });

  it('passesBodiesOfOtherTypesAsTheyAre', () => {
    const body = bytes('{"name":"Bob"}');
    const m = mapPlaygroundRequest('/example/greeter/Bob', 'application/vnd.example/GreetRequest', body);
    expect(m.argument).toEqual({ typename: 'example/GreetRequest', value: body });
  });

  it('wrapsAStringBodyAsTheStringWrapperEverySdkReads', () => {
    const m = mapPlaygroundRequest('/example/greeter/Bob', undefined, bytes('hello'));
    expect(m.argument.typename).toBe('io.statefun.types/string');
    expect(stringType.deserialize(m.argument.value)).toBe('hello');
    expect(stringType.deserialize(stringWrapper(bytes('é'.repeat(200))))).toBe('é'.repeat(200));
    expect(stringWrapper(new Uint8Array(0))).toEqual(new Uint8Array(0));
    expect(stringWrapper(bytes('x'.repeat(300)))).toEqual(stringType.serialize('x'.repeat(300)));
    expect(httpError(() => stringWrapper(Uint8Array.of(0xff, 0xfe))).status).toBe(400);
  });
});
