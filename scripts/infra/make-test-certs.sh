#!/usr/bin/env bash
# Makes a throw-away CA and a broker certificate for 127.0.0.1/localhost in DIR:
#   ca.pem (give it to clients as KAFKA_SSL_CA_FILE), broker.p12 (the broker's keystore).
# Usage: make-test-certs.sh DIR PASSWORD     — for tests and local trials only.
set -euo pipefail
dir="${1:?usage: make-test-certs.sh DIR PASSWORD}" pass="${2:?usage: make-test-certs.sh DIR PASSWORD}"
command -v openssl >/dev/null || { echo "openssl is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir" && cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=eyego-test-ca" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout broker.key -out broker.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >broker.ext
openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile broker.ext -out broker.pem 2>/dev/null
openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
  -passout "pass:$pass" -out broker.p12
rm -f broker.csr broker.ext ca.srl
