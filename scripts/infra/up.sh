#!/usr/bin/env bash
# Starts the single-node KRaft Kafka broker and FerretDB in the background and waits until both
# answer. Running it while they are up is a no-op. Usage: up.sh [kafka|ferretdb|all] [--brokers N]
# With --brokers N (or INFRA_BROKERS=N) above 1, Kafka is an N-node cluster (scripts/infra/cluster.sh)
# instead of the single broker that `npm run dev` and `npm test` use.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

KAFKA_RUN="$INFRA_RUN/kafka"
FERRET_RUN="$INFRA_RUN/ferretdb"

kafka_ready() {
  port_open "$KAFKA_HOST" "$KAFKA_PORT" && grep -q "Kafka Server started" "$KAFKA_RUN/kafka.log" 2>/dev/null
}

# Production-style listener beside PLAINTEXT: TLS + SASL/SCRAM-SHA-512 on KAFKA_SASL_SSL_PORT, with
# the broker key and certificate from KAFKA_SSL_KEYSTORE_FILE (PKCS12). SCRAM users are created
# afterwards with Kafka's ConfigCommand (see scripts/infra/kafka-scram-user.sh).
add_sasl_ssl_listener() {
  [[ -n "${KAFKA_SSL_KEYSTORE_FILE:-}" && -n "${KAFKA_SSL_KEYSTORE_PASSWORD:-}" ]] \
    || die "KAFKA_SASL_SSL_PORT needs KAFKA_SSL_KEYSTORE_FILE and KAFKA_SSL_KEYSTORE_PASSWORD"
  local file="$KAFKA_RUN/server.properties"
  sed -i \
    -e "s|^listeners=.*|&,SASL_SSL://$KAFKA_HOST:$KAFKA_SASL_SSL_PORT|" \
    -e "s|^advertised.listeners=.*|&,SASL_SSL://$KAFKA_HOST:$KAFKA_SASL_SSL_PORT|" \
    -e "s|^listener.security.protocol.map=.*|&,SASL_SSL:SASL_SSL|" "$file"
  cat >>"$file" <<PROPS
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$KAFKA_SSL_KEYSTORE_FILE
ssl.keystore.password=$KAFKA_SSL_KEYSTORE_PASSWORD
ssl.key.password=$KAFKA_SSL_KEYSTORE_PASSWORD
PROPS
}

start_kafka() {
  if pid_alive "$KAFKA_RUN/kafka.pid" "$KAFKA_RUN/server.properties"; then
    log "Kafka already running (pid $(cat "$KAFKA_RUN/kafka.pid")) on $KAFKA_HOST:$KAFKA_PORT"; return
  fi
  [[ -f "$KAFKA_HOME/libs/kafka_$KAFKA_SCALA_VERSION-$KAFKA_VERSION.jar" ]] || bash "$(dirname "$0")/install.sh" kafka
  port_open "$KAFKA_HOST" "$KAFKA_PORT" && die "port $KAFKA_HOST:$KAFKA_PORT is already in use by another process; set KAFKA_PORT"
  mkdir -p "$KAFKA_RUN" "$KAFKA_DATA"
  cat >"$KAFKA_RUN/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=3
# Topics are provisioned by code (libs/kafka-admin); a typo must not create a topic.
auto.create.topics.enable=false
# One node: every internal topic has replication factor 1.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  if [[ -n "${KAFKA_SASL_SSL_PORT:-}" ]]; then add_sasl_ssl_listener; fi
  if [[ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]]; then cat "$KAFKA_EXTRA_PROPERTIES" >>"$KAFKA_RUN/server.properties"; fi
  cat >"$KAFKA_RUN/log4j2.properties" <<PROPS
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.state.name=state.change.logger
logger.state.level=WARN
PROPS
  local cp="$KAFKA_HOME/libs/*" java_opts=($KAFKA_HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true -Dlog4j2.configurationFile="$KAFKA_RUN/log4j2.properties")
  if [[ ! -f "$KAFKA_DATA/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    log "formatting Kafka storage (cluster id $cluster_id)"
    java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format --standalone -t "$cluster_id" \
      -c "$KAFKA_RUN/server.properties" >"$KAFKA_RUN/format.log" 2>&1 || { cat "$KAFKA_RUN/format.log" >&2; die "formatting Kafka storage failed"; }
  fi
  log "starting Kafka $KAFKA_VERSION on $KAFKA_HOST:$KAFKA_PORT (log: $KAFKA_RUN/kafka.log)"
  : >"$KAFKA_RUN/kafka.log"
  nohup java "${java_opts[@]}" -cp "$cp" kafka.Kafka "$KAFKA_RUN/server.properties" >>"$KAFKA_RUN/kafka.log" 2>&1 </dev/null &
  echo $! >"$KAFKA_RUN/kafka.pid"
  wait_for "Kafka on $KAFKA_HOST:$KAFKA_PORT" "$INFRA_START_TIMEOUT" "$KAFKA_RUN/kafka.log" kafka_ready
  log "Kafka ready (pid $(cat "$KAFKA_RUN/kafka.pid"))"
}

start_ferretdb() {
  if pid_alive "$FERRET_RUN/ferretdb.pid" "$FERRETDB_DATA/"; then
    log "FerretDB already running (pid $(cat "$FERRET_RUN/ferretdb.pid")) on $MONGO_HOST:$MONGO_PORT"; return
  fi
  [[ -x "$FERRETDB_BIN" ]] || bash "$(dirname "$0")/install.sh" ferretdb
  port_open "$MONGO_HOST" "$MONGO_PORT" && die "port $MONGO_HOST:$MONGO_PORT is already in use by another process; set MONGO_PORT"
  mkdir -p "$FERRET_RUN" "$FERRETDB_DATA"
  log "starting FerretDB $FERRETDB_VERSION (SQLite) on $MONGO_HOST:$MONGO_PORT (log: $FERRET_RUN/ferretdb.log)"
  nohup "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$FERRETDB_DATA/" \
    --listen-addr="$MONGO_HOST:$MONGO_PORT" --debug-addr="127.0.0.1:$FERRETDB_DEBUG_PORT" \
    --state-dir="$FERRET_RUN" --telemetry=disable --log-format=json --log-level="${FERRETDB_LOG_LEVEL:-WARN}" \
    >>"$FERRET_RUN/ferretdb.log" 2>&1 </dev/null &
  echo $! >"$FERRET_RUN/ferretdb.pid"
  wait_for "FerretDB on $MONGO_HOST:$MONGO_PORT" "$INFRA_START_TIMEOUT" "$FERRET_RUN/ferretdb.log" port_open "$MONGO_HOST" "$MONGO_PORT"
  log "FerretDB ready (pid $(cat "$FERRET_RUN/ferretdb.pid"))"
}

target=all brokers="${INFRA_BROKERS:-1}"
while (($# > 0)); do
  case "$1" in
    --brokers) brokers="${2:?--brokers needs a number}"; shift ;;
    --brokers=*) brokers="${1#--brokers=}" ;;
    *) target="$1" ;;
  esac
  shift
done
[[ "$brokers" =~ ^[1-9]$ ]] || die "--brokers must be 1 to 9, not '$brokers'"
if ((brokers > 1)); then
  start_kafka() { bash "$(dirname "${BASH_SOURCE[0]}")/cluster.sh" up "$brokers"; }
fi

case "$target" in
  kafka) start_kafka ;;
  ferretdb) start_ferretdb ;;
  all) start_ferretdb; start_kafka ;;
  *) die "usage: up.sh [kafka|ferretdb|all] [--brokers N]" ;;
esac
