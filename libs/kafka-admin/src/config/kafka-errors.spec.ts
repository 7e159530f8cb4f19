import { kafkaConfigurationProblem } from './kafka-errors';

class KafkaJSSASLAuthenticationError extends Error {
  override name = 'KafkaJSSASLAuthenticationError';
}

describe('kafkaConfigurationProblem', () => {
  it('names the SASL variables when the broker rejects the credentials', () => {
    const problem = kafkaConfigurationProblem(
      new KafkaJSSASLAuthenticationError(
        'SASL SCRAM SHA512 authentication failed: invalid credentials',
      ),
    );
    expect(problem).toMatch(/KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/);
  });

  it('names the TLS variables when the certificate cannot be verified, also as a cause', () => {
    const cause = new Error('self-signed certificate in certificate chain');
    expect(kafkaConfigurationProblem(new Error('Connection error', { cause }))).toMatch(
      /KAFKA_SSL_CA_FILE/,
    );
  });

  it('leaves plain connectivity errors to the retry path', () => {
    expect(kafkaConfigurationProblem(new Error('connect ECONNREFUSED 127.0.0.1:9092'))).toBeNull();
    expect(kafkaConfigurationProblem('not an error')).toBeNull();
  });
});
