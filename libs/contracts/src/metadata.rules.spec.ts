import { LIMITS } from './limits';
import { checkMetadata } from './metadata.rules';

const rules = (metadata: Record<string, unknown>): string[] =>
  checkMetadata(metadata).map((i) => `${i.field}:${i.rule}`);

/** A value nested `depth` levels below a metadata key. */
const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 1; i < depth; i += 1) value = { inner: value };
  return value;
};

describe('metadata rules', () => {
  it('accepts the known keys and bounded free-form values of every JSON type', () => {
    expect(
      rules({
        ipAddress: '10.0.0.1',
        userAgent: 'curl/8',
        sessionId: 'sess_1',
        plan: 'pro',
        count: 3,
        beta: true,
        nothing: null,
        tags: ['a', 'b'],
        cart: { items: 2 },
      }),
    ).toEqual([]);
  });

  it.each([
    [{ ipAddress: '999.1.1.1' }, 'metadata.ipAddress:isIP'],
    [{ ipAddress: 17 }, 'metadata.ipAddress:isIP'],
    [{ userAgent: '' }, 'metadata.userAgent:length'],
    [{ userAgent: 'a'.repeat(LIMITS.userAgentMaxLength + 1) }, 'metadata.userAgent:length'],
    [{ userAgent: 5 }, 'metadata.userAgent:isString'],
    [{ sessionId: 's'.repeat(LIMITS.sessionIdMaxLength + 1) }, 'metadata.sessionId:length'],
    [{ note: 'n'.repeat(LIMITS.metadataStringMaxLength + 1) }, 'metadata.note:maxLength'],
    [{ ratio: Number.POSITIVE_INFINITY }, 'metadata.ratio:isFinite'],
    [{ 'bad key': 1 }, 'metadata.bad key:keyFormat'],
    [{ $where: 1 }, 'metadata.$where:keyFormat'],
    [{ 'a.b': 1 }, 'metadata.a.b:keyFormat'],
    [{ tags: new Array(LIMITS.metadataMaxArrayLength + 1).fill(1) }, 'metadata.tags:maxItems'],
    [{ deep: nested(LIMITS.metadataMaxDepth + 1) }, 'metadata.deep.inner.inner:maxDepth'],
    [{ big: BigInt(1) }, 'metadata.big:type'],
  ])('rejects %p as %s', (metadata, expected) => {
    expect(rules(metadata)).toContain(expected);
  });

  it('accepts nesting exactly at the depth limit', () => {
    expect(rules({ deep: nested(LIMITS.metadataMaxDepth) })).toEqual([]);
  });

  it('rejects forbidden keys at any depth', () => {
    const metadata = JSON.parse('{"a":{"__proto__":{"x":1}},"constructor":1}') as Record<
      string,
      unknown
    >;
    expect(rules(metadata)).toEqual([
      'metadata.a.__proto__:forbiddenKey',
      'metadata.constructor:forbiddenKey',
    ]);
  });

  it('counts free-form keys (the three known keys do not count)', () => {
    const metadata: Record<string, unknown> = {
      ipAddress: '10.0.0.1',
      userAgent: 'x',
      sessionId: 's',
    };
    for (let i = 0; i < LIMITS.metadataMaxExtraKeys; i += 1) metadata[`k${i}`] = i;
    expect(rules(metadata)).toEqual([]);
    metadata.oneMore = 1;
    expect(rules(metadata)).toEqual(['metadata:maxKeys']);
  });

  it('bounds the serialized size, counting bytes rather than characters', () => {
    const metadata: Record<string, unknown> = {};
    // 9 × 1000 two-byte characters: every string is within its length limit, the whole is not.
    for (let i = 0; i < 9; i += 1) metadata[`k${i}`] = 'é'.repeat(1000);
    expect(rules(metadata)).toEqual(['metadata:maxBytes']);
  });
});
