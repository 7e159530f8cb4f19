#!/usr/bin/env bash
# A local N-node KRaft Kafka cluster from the same cached jars, on loopback: every node is a
# combined broker + controller and a voter of the controller quorum (3 voters: one may die).
# Each node has its own ports, data dir, log and pid file under $INFRA_RUN/cluster/node-<id>.
#   cluster.sh up [N]                  start N nodes (default INFRA_BROKERS, else 3); a no-op when up
#   cluster.sh down [--kill] [--wipe]  stop every node (SIGTERM, or SIGKILL), --wipe deletes the data
#   cluster.sh status                  each node, the quorum leader and under-replicated partitions
#   cluster.sh node start|stop|kill|restart|pause|resume ID   one node (restart waits until it is up)
#   cluster.sh brokers                 the bootstrap list (host:port,...) for KAFKA_BROKERS
#   cluster.sh controller              the id of the active controller (quorum leader)
#   cluster.sh leader TOPIC PARTITION  the id of that partition's leader
#   cluster.sh wait-isr [TIMEOUT]      waits until no partition is under-replicated
# Ports: node 1 uses KAFKA_PORT / KAFKA_CONTROLLER_PORT, node i uses them + 10*(i-1), unless
# KAFKA_NODE_PORTS and KAFKA_NODE_CONTROLLER_PORTS (comma lists) say otherwise. `up` records the
# layout in $INFRA_RUN/cluster/cluster.env, so later commands need no environment.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

CLUSTER_RUN="$INFRA_RUN/cluster"
CLUSTER_DATA="$INFRA_DATA/cluster"
CLUSTER_ENV="$CLUSTER_RUN/cluster.env"
# Small heaps: three JVMs beside the apps and FerretDB on a 2-core machine.
KAFKA_CLUSTER_HEAP_OPTS="${KAFKA_CLUSTER_HEAP_OPTS:--Xms128m -Xmx384m}"
# Tests use "-XX:+UseSerialGC -XX:TieredStopAtLevel=1": a JVM that starts in about half the CPU time.
KAFKA_CLUSTER_JVM_OPTS="${KAFKA_CLUSTER_JVM_OPTS:--XX:+UseG1GC}"
CP="$KAFKA_HOME/libs/*"

node_dir() { echo "$CLUSTER_RUN/node-$1"; }
node_pidfile() { echo "$CLUSTER_RUN/node-$1/kafka.pid"; }
node_marker() { echo "$CLUSTER_RUN/node-$1/server.properties"; }
node_alive() { pid_alive "$(node_pidfile "$1")" "$(node_marker "$1")"; }
node_port() { echo "${NODE_PORTS[$(($1 - 1))]}"; }
node_cport() { echo "${NODE_CPORTS[$(($1 - 1))]}"; }

# Loads (or, for `up`, first computes and saves) the cluster's layout.
load_layout() {
  if [[ -f "$CLUSTER_ENV" ]]; then
    # shellcheck disable=SC1090
    source "$CLUSTER_ENV"
    IFS=, read -r -a NODE_PORTS <<<"$CLUSTER_PORTS"
    IFS=, read -r -a NODE_CPORTS <<<"$CLUSTER_CONTROLLER_PORTS"
    return 0
  fi
  return 1
}

new_layout() {
  local n="$1" i
  ((n >= 1 && n <= 9)) || die "a cluster has 1 to 9 nodes, not $n"
  if [[ -n "${KAFKA_NODE_PORTS:-}" ]]; then
    IFS=, read -r -a NODE_PORTS <<<"$KAFKA_NODE_PORTS"
    IFS=, read -r -a NODE_CPORTS <<<"${KAFKA_NODE_CONTROLLER_PORTS:?KAFKA_NODE_PORTS needs KAFKA_NODE_CONTROLLER_PORTS}"
    ((${#NODE_PORTS[@]} == n && ${#NODE_CPORTS[@]} == n)) || die "KAFKA_NODE_PORTS and KAFKA_NODE_CONTROLLER_PORTS need $n ports each"
  else
    NODE_PORTS=() NODE_CPORTS=()
    for ((i = 0; i < n; i++)); do
      NODE_PORTS+=($((KAFKA_PORT + 10 * i)))
      NODE_CPORTS+=($((KAFKA_CONTROLLER_PORT + 10 * i)))
    done
  fi
  CLUSTER_SIZE="$n"
  CLUSTER_PORTS="$(IFS=,; echo "${NODE_PORTS[*]}")"
  CLUSTER_CONTROLLER_PORTS="$(IFS=,; echo "${NODE_CPORTS[*]}")"
  # What StorageTool random-uuid prints (16 random bytes, URL-safe base64), without starting a JVM.
  CLUSTER_ID="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  mkdir -p "$CLUSTER_RUN"
  cat >"$CLUSTER_ENV" <<ENV
CLUSTER_SIZE=$CLUSTER_SIZE
CLUSTER_PORTS=$CLUSTER_PORTS
CLUSTER_CONTROLLER_PORTS=$CLUSTER_CONTROLLER_PORTS
CLUSTER_ID=$CLUSTER_ID
CLUSTER_HOST=$KAFKA_HOST
ENV
}

bootstrap() {
  local i list=()
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do list+=("$KAFKA_HOST:$(node_port "$i")"); done
  (IFS=,; echo "${list[*]}")
}

write_node_config() {
  local id="$1" dir voters=() i rf min_isr
  dir="$(node_dir "$id")"
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do voters+=("$i@$KAFKA_HOST:$(node_cport "$i")"); done
  rf=$((CLUSTER_SIZE < 3 ? CLUSTER_SIZE : 3))
  min_isr=$((rf >= 3 ? 2 : 1))
  mkdir -p "$dir" "$CLUSTER_DATA/node-$id"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$(IFS=,; echo "${voters[*]}")
listeners=PLAINTEXT://$KAFKA_HOST:$(node_port "$id"),CONTROLLER://$KAFKA_HOST:$(node_cport "$id")
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$(node_port "$id")
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$CLUSTER_DATA/node-$id
num.partitions=3
# Topics are provisioned by code (libs/kafka-admin); a typo must not create a topic.
auto.create.topics.enable=false
default.replication.factor=$rf
min.insync.replicas=$min_isr
unclean.leader.election.enable=false
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
# A dead node is fenced (its partitions get new leaders, it leaves the ISRs) after 6 s instead of
# 9 s; a slow follower leaves the ISR after 10 s instead of 30 s. Loopback, so no flapping.
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1000
replica.lag.time.max.ms=10000
# Fewer threads per node: three nodes share two cores.
num.network.threads=2
num.io.threads=4
background.threads=4
num.replica.fetchers=1
log.cleaner.threads=1
PROPS
  if [[ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]]; then cat "$KAFKA_EXTRA_PROPERTIES" >>"$dir/server.properties"; fi
  cat >"$dir/log4j2.properties" <<PROPS
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
}

java_opts() {
  # shellcheck disable=SC2206
  JAVA_OPTS=($KAFKA_CLUSTER_HEAP_OPTS $KAFKA_CLUSTER_JVM_OPTS -XX:ActiveProcessorCount=2 -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$(node_dir "$1")/log4j2.properties")
}

node_ready() {
  port_open "$KAFKA_HOST" "$(node_port "$1")" && grep -q "Kafka Server started" "$(node_dir "$1")/kafka.log" 2>/dev/null
}

# Formats a node's storage the first time (a JVM of its own, so `up` runs these side by side).
format_node() {
  local id="$1" dir
  dir="$(node_dir "$id")"
  [[ -f "$dir/server.properties" ]] || write_node_config "$id"
  [[ -f "$CLUSTER_DATA/node-$id/meta.properties" ]] && return 0
  java -Xmx128m -XX:TieredStopAtLevel=1 -cp "$CP" kafka.tools.StorageTool format -t "$CLUSTER_ID" \
    -c "$dir/server.properties" >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; die "formatting node $id failed"; }
}

# Launches one node in the background (formats its storage the first time); does not wait.
launch_node() {
  local id="$1" dir
  dir="$(node_dir "$id")"
  if node_alive "$id"; then log "node $id already running (pid $(cat "$(node_pidfile "$id")"))"; return; fi
  port_open "$KAFKA_HOST" "$(node_port "$id")" && die "port $KAFKA_HOST:$(node_port "$id") (node $id) is already in use"
  port_open "$KAFKA_HOST" "$(node_cport "$id")" && die "controller port $KAFKA_HOST:$(node_cport "$id") (node $id) is already in use"
  format_node "$id"
  java_opts "$id"
  if [[ -s "$dir/kafka.log" ]]; then mv "$dir/kafka.log" "$dir/kafka.log.prev"; fi
  : >"$dir/kafka.log"
  nohup java "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka "$dir/server.properties" >>"$dir/kafka.log" 2>&1 </dev/null &
  echo $! >"$(node_pidfile "$id")"
  log "node $id starting (pid $!) on $KAFKA_HOST:$(node_port "$id"), controller $(node_cport "$id") (log: $dir/kafka.log)"
}

wait_node() {
  wait_for "node $1 on $KAFKA_HOST:$(node_port "$1")" "$INFRA_START_TIMEOUT" "$(node_dir "$1")/kafka.log" node_ready "$1"
}

stop_node() {
  local id="$1" signal="$2" pid
  if ! node_alive "$id"; then rm -f "$(node_pidfile "$id")"; return; fi
  pid="$(cat "$(node_pidfile "$id")")"
  log "stopping node $id (pid $pid, SIG$signal)"
  kill -CONT "$pid" 2>/dev/null || true
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do
    node_alive "$id" || { rm -f "$(node_pidfile "$id")"; return; }
    sleep 0.5
  done
  log "node $id did not stop within 60s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$(node_pidfile "$id")"
}

cluster_up() {
  local n="${1:-${INFRA_BROKERS:-3}}" i pid
  [[ -f "$KAFKA_HOME/libs/kafka_$KAFKA_SCALA_VERSION-$KAFKA_VERSION.jar" ]] || bash "$(dirname "$0")/install.sh" kafka
  if load_layout; then
    ((CLUSTER_SIZE == n)) || die "a $CLUSTER_SIZE-node cluster is set up in $CLUSTER_RUN; 'down --wipe' it first to make one of $n"
  else
    new_layout "$n"
  fi
  local pids=()
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do format_node "$i" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || die "formatting the cluster's storage failed"; done
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do launch_node "$i"; done
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do wait_node "$i"; done
  log "Kafka cluster of $CLUSTER_SIZE nodes ready: KAFKA_BROKERS=$(bootstrap)"
}

cluster_down() {
  local signal=TERM wipe=0 arg i
  for arg in "$@"; do
    case "$arg" in
      --kill) signal=KILL ;;
      --wipe) wipe=1 ;;
      *) die "usage: cluster.sh down [--kill] [--wipe]" ;;
    esac
  done
  if load_layout; then
    # Every node at once: stopping them one after another would move leadership around needlessly.
    for ((i = 1; i <= CLUSTER_SIZE; i++)); do stop_node "$i" "$signal" & done
    wait
    log "Kafka cluster stopped"
  fi
  if ((wipe)); then rm -rf "$CLUSTER_DATA" "$CLUSTER_RUN"; log "deleted $CLUSTER_DATA and $CLUSTER_RUN"; fi
}

# The active controller: the highest-epoch quorum state among the running nodes (instant; no JVM).
controller_id() {
  local i best_epoch=-1 best=-1 state epoch leader
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do
    node_alive "$i" || continue
    state="$CLUSTER_DATA/node-$i/__cluster_metadata-0/quorum-state"
    [[ -f "$state" ]] || continue
    epoch="$(sed -n 's/.*"leaderEpoch":\([0-9-]*\).*/\1/p' "$state")"
    leader="$(sed -n 's/.*"leaderId":\([0-9-]*\).*/\1/p' "$state")"
    if [[ -n "$epoch" && -n "$leader" ]] && ((epoch > best_epoch)); then best_epoch="$epoch" best="$leader"; fi
  done
  echo "$best"
}

first_alive_bootstrap() {
  local i
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do
    if node_alive "$i" && port_open "$KAFKA_HOST" "$(node_port "$i")"; then echo "$KAFKA_HOST:$(node_port "$i")"; return; fi
  done
  return 1
}

topic_tool() {
  java -Xmx128m -Dlog4j2.level=ERROR -cp "$CP" org.apache.kafka.tools.TopicCommand --bootstrap-server "$1" "${@:2}" 2>/dev/null
}

under_replicated() {
  local server
  server="$(first_alive_bootstrap)" || { echo "?"; return; }
  topic_tool "$server" --describe --under-replicated-partitions | grep -c 'Partition:' || true
}

cluster_status() {
  load_layout || { printf 'Kafka cluster: not set up in %s\n' "$CLUSTER_RUN"; return 1; }
  local i ok=0 up=0 server
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do
    if node_alive "$i" && port_open "$KAFKA_HOST" "$(node_port "$i")"; then
      printf 'node %-4s up    pid %-8s %s:%s controller :%s\n' "$i" "$(cat "$(node_pidfile "$i")")" "$KAFKA_HOST" "$(node_port "$i")" "$(node_cport "$i")"
      up=$((up + 1))
    else
      printf 'node %-4s down  %s:%s controller :%s\n' "$i" "$KAFKA_HOST" "$(node_port "$i")" "$(node_cport "$i")"; ok=1
    fi
  done
  if server="$(first_alive_bootstrap)"; then
    printf 'quorum: '
    java -Xmx128m -Dlog4j2.level=ERROR -cp "$CP" org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-server "$server" describe --status 2>/dev/null \
      | awk '/^(LeaderId|LeaderEpoch|HighWatermark|MaxFollowerLag):/ {k = $1; sub(":", "", k); printf "%s=%s  ", k, $2}
          /^CurrentVoters:/ {n = gsub(/"id":/, ""); printf "voters=%d  ", n} END {print ""}'
    printf 'ISR: %s partitions in %s topics, %s under-replicated\n' \
      "$(topic_tool "$server" --describe | grep -c 'Partition:' || true)" \
      "$(topic_tool "$server" --list | grep -c . || true)" "$(under_replicated)"
  fi
  printf 'KAFKA_BROKERS=%s  (%s of %s nodes up)\n' "$(bootstrap)" "$up" "$CLUSTER_SIZE"
  return "$ok"
}

partition_leader() {
  local server
  server="$(first_alive_bootstrap)" || die "no node is up"
  topic_tool "$server" --describe --topic "$1" | awk -v p="$2" '$0 ~ "Partition: "p"\t" || $0 ~ "Partition: "p" " {for (i = 1; i <= NF; i++) if ($i == "Leader:") print $(i + 1)}'
}

wait_isr() {
  local timeout="${1:-120}" start=$SECONDS n
  while :; do
    n="$(under_replicated)"
    [[ "$n" == 0 ]] && { log "ISR full on every partition after $((SECONDS - start))s"; return 0; }
    ((SECONDS - start >= timeout)) && die "$n partitions still under-replicated after ${timeout}s"
    sleep 1
  done
}

node_command() {
  local action="$1" id="${2:-}"
  load_layout || die "no cluster is set up in $CLUSTER_RUN (run: cluster.sh up)"
  [[ "$id" =~ ^[0-9]+$ ]] && ((id >= 1 && id <= CLUSTER_SIZE)) || die "node id must be 1..$CLUSTER_SIZE"
  case "$action" in
    start) launch_node "$id"; wait_node "$id" ;;
    stop) stop_node "$id" TERM ;;
    kill) stop_node "$id" KILL ;;
    restart) stop_node "$id" TERM; launch_node "$id"; wait_node "$id" ;;
    pause) node_alive "$id" && kill -STOP "$(cat "$(node_pidfile "$id")")" ;;
    resume) node_alive "$id" && kill -CONT "$(cat "$(node_pidfile "$id")")" ;;
    *) die "usage: cluster.sh node start|stop|kill|restart|pause|resume ID" ;;
  esac
}

cmd="${1:-}"
shift || true
case "$cmd" in
  up) cluster_up "$@" ;;
  down) cluster_down "$@" ;;
  status) cluster_status ;;
  node) node_command "$@" ;;
  brokers) load_layout || die "no cluster is set up in $CLUSTER_RUN"; bootstrap ;;
  controller) load_layout || die "no cluster is set up in $CLUSTER_RUN"; controller_id ;;
  leader) load_layout || die "no cluster is set up in $CLUSTER_RUN"; partition_leader "${1:?topic}" "${2:?partition}" ;;
  wait-isr) load_layout || die "no cluster is set up in $CLUSTER_RUN"; wait_isr "$@" ;;
  *) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
