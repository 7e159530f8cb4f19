import { gunzipSync } from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { ensureCompressionCodec, gzipCodec } from './compression';

type Codec = {
  compress(e: { buffer: Buffer }): Promise<Buffer>;
  decompress(b: Buffer): Promise<Buffer>;
};

describe('ensureCompressionCodec', () => {
  it('accepts the codecs kafkajs ships', () => {
    expect(ensureCompressionCodec('gzip')).toBe(CompressionTypes.GZIP);
    expect(ensureCompressionCodec('none')).toBe(CompressionTypes.None);
  });

  it('refuses snappy, lz4 and zstd at boot when their codec package is missing, naming it', () => {
    expect(() => ensureCompressionCodec('snappy')).toThrow(/PRODUCER_COMPRESSION.*kafkajs-snappy/s);
    expect(() => ensureCompressionCodec('lz4')).toThrow(/kafkajs-lz4/);
    expect(() => ensureCompressionCodec('zstd')).toThrow(/@kafkajs\/zstd/);
  });

  it('registers gzip at the configured zlib level: faster, the same data for every reader', async () => {
    const stock = CompressionCodecs[CompressionTypes.GZIP];
    try {
      const data = { buffer: Buffer.from(JSON.stringify({ a: 'activity '.repeat(5000) })) };
      const level9 = await (gzipCodec(9)() as Codec).compress(data);
      expect(ensureCompressionCodec('gzip', 1)).toBe(CompressionTypes.GZIP);
      const codec = CompressionCodecs[CompressionTypes.GZIP]() as Codec;
      const level1 = await codec.compress(data);
      expect(level1.equals(level9)).toBe(false);
      expect(gunzipSync(level1)).toEqual(data.buffer);
      expect(gunzipSync(level9)).toEqual(data.buffer);
      expect(await codec.decompress(level1)).toEqual(data.buffer);
    } finally {
      CompressionCodecs[CompressionTypes.GZIP] = stock;
    }
  });
});
