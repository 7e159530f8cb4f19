/**
 * Errors no retry can fix: the broker refused our credentials, or TLS could not be established
 * (unknown CA, wrong host name, TLS against a plaintext port). Apps stop on these at boot with a
 * message naming the variables to check, instead of retrying forever.
 */
const TLS_FAILURES = [
  'self-signed certificate',
  'self signed certificate',
  'unable to verify',
  'unable to get local issuer certificate',
  'certificate has expired',
  "Hostname/IP does not match certificate's altnames",
  'wrong version number',
  'packet length too long',
];

export function kafkaConfigurationProblem(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const chain = [error, (error as { cause?: unknown }).cause].filter(
    (e): e is Error => e instanceof Error,
  );
  for (const e of chain) {
    if (
      e.name === 'KafkaJSSASLAuthenticationError' ||
      /SASL .* authentication failed/i.test(e.message)
    ) {
      return `Kafka rejected the credentials (${e.message}); check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`;
    }
    if (TLS_FAILURES.some((t) => e.message.includes(t))) {
      return `TLS to Kafka failed (${e.message}); check KAFKA_SSL, KAFKA_SSL_CA_FILE and KAFKA_BROKERS`;
    }
  }
  return null;
}
