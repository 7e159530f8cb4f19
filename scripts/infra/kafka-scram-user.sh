#!/usr/bin/env bash
# Creates (or updates) a SCRAM-SHA-512 user with Kafka's own ConfigCommand.
# Usage: kafka-scram-user.sh USER PASSWORD   (talks to KAFKA_HOST:KAFKA_PORT, the PLAINTEXT listener)
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
user="${1:?usage: kafka-scram-user.sh USER PASSWORD}" pass="${2:?usage: kafka-scram-user.sh USER PASSWORD}"
java -cp "$KAFKA_HOME/libs/*" -Dlog4j2.level=WARN kafka.admin.ConfigCommand \
  --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" --alter \
  --add-config "SCRAM-SHA-512=[iterations=8192,password=$pass]" \
  --entity-type users --entity-name "$user"
