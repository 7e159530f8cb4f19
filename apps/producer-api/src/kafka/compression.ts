import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { invalidConfiguration } from '@app/platform';
import type { Compression } from '../config/producer-api.config';

export const COMPRESSION_TYPES: Record<Compression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

type CodecFactory = () => { compress: unknown; decompress: unknown };

/** kafkajs ships gzip only; these packages register the others, each exporting it its own way. */
const CODEC_PACKAGES: Partial<Record<Compression, [string, (module: never) => CodecFactory]>> = {
  snappy: ['kafkajs-snappy', (m: CodecFactory) => m],
  lz4: ['kafkajs-lz4', (M: new () => { codec: CodecFactory }) => new M().codec],
  zstd: ['@kafkajs/zstd', (m: () => CodecFactory) => m()],
};

/** kafkajs's registry, indexed by compression type. */
const codecs = CompressionCodecs as Record<number, CodecFactory>;

const isRegistered = (type: CompressionTypes): boolean => {
  try {
    // kafkajs's placeholder for a missing codec throws KafkaJSNotImplemented when asked for it.
    const codec = codecs[type]();
    return typeof codec.compress === 'function';
  } catch {
    return false;
  }
};

/** zlib's default, which kafkajs's own gzip codec uses. */
export const ZLIB_DEFAULT_LEVEL = 6;

const gzipAsync = promisify(gzip);
/** kafkajs's own gzip codec, as registered before anything here replaces it. */
const kafkajsGzip = codecs[CompressionTypes.GZIP];

/**
 * kafkajs's gzip codec at another zlib level (same format: any reader decompresses it as before,
 * with kafkajs's own decompress). Registered in kafkajs's codec registry, so it holds for every
 * producer of the process.
 */
export const gzipCodec =
  (level: number): CodecFactory =>
  () => ({
    compress: (encoder: { buffer: Buffer }) => gzipAsync(encoder.buffer, { level }),
    decompress: kafkajsGzip().decompress,
  });

/**
 * Makes sure the configured codec can compress, registering it from its package when that is
 * installed (gzip: at `gzipLevel`). Throws at boot, naming the variable and the package, rather
 * than on the first send.
 */
export function ensureCompressionCodec(
  compression: Compression,
  gzipLevel = ZLIB_DEFAULT_LEVEL,
): CompressionTypes {
  const type = COMPRESSION_TYPES[compression];
  if (compression === 'gzip' && gzipLevel !== ZLIB_DEFAULT_LEVEL) {
    codecs[type] = gzipCodec(gzipLevel);
  }
  if (compression === 'none' || isRegistered(type)) return type;
  const [pkg, load] = CODEC_PACKAGES[compression] ?? [compression, (m: CodecFactory) => m];
  try {
    // An optional dependency, resolved at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    codecs[type] = load(require(pkg) as never);
  } catch {
    // Reported below.
  }
  if (!isRegistered(type)) {
    throw invalidConfiguration(
      `PRODUCER_COMPRESSION: "${compression}" needs the kafkajs codec package ${pkg}; install it (npm install ${pkg}) or use gzip or none`,
    );
  }
  return type;
}
