import { depthExceeds } from './body-parsers';

describe('depthExceeds', () => {
  const nest = (n: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
    return v;
  };
  it('counts object and array levels without recursion, even far too deep for the stack', () => {
    expect(depthExceeds(nest(64), 64)).toBe(false);
    expect(depthExceeds(nest(65), 64)).toBe(true);
    expect(depthExceeds(nest(200_000), 64)).toBe(true);
    expect(depthExceeds('text', 0)).toBe(false);
    expect(depthExceeds({ a: [1, 2, { b: null }] }, 3)).toBe(false);
    expect(depthExceeds({ a: [1, 2, { b: {} }] }, 3)).toBe(true);
  });
});
