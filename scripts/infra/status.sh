#!/usr/bin/env bash
# Prints whether Kafka and FerretDB are running; exits 0 only when both are up and answering.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

ok=0
report() {
  local name="$1" pidfile="$2" marker="$3" host="$4" port="$5"
  if pid_alive "$pidfile" "$marker" && port_open "$host" "$port"; then
    printf '%-9s up    pid %-8s %s:%s\n' "$name" "$(cat "$pidfile")" "$host" "$port"
  else
    printf '%-9s down  %s:%s\n' "$name" "$host" "$port"; ok=1
  fi
}
if [[ -f "$INFRA_RUN/cluster/cluster.env" ]]; then
  # A cluster made by `up.sh --brokers N`: every node, the quorum leader, under-replicated partitions.
  bash "$(dirname "${BASH_SOURCE[0]}")/cluster.sh" status || ok=1
else
  report Kafka "$INFRA_RUN/kafka/kafka.pid" "$INFRA_RUN/kafka/server.properties" "$KAFKA_HOST" "$KAFKA_PORT"
fi
report FerretDB "$INFRA_RUN/ferretdb/ferretdb.pid" "$FERRETDB_DATA/" "$MONGO_HOST" "$MONGO_PORT"
exit "$ok"
