import { CompressionTypes } from 'kafkajs';
import { ensureCompressionCodec } from './compression';

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
});
