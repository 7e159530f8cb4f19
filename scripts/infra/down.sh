#!/usr/bin/env bash
# Stops what up.sh started, found by its pid files (never by process name).
# Usage: down.sh [kafka|ferretdb|all] [--kill] [--wipe]   (--wipe also deletes the data folders)
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

signal=TERM wipe=0 target=all cluster_args=()
for arg in "$@"; do
  case "$arg" in
    --kill) signal=KILL; cluster_args+=(--kill) ;;
    --wipe) wipe=1; cluster_args+=(--wipe) ;;
    kafka | ferretdb | all) target="$arg" ;;
    *) die "usage: down.sh [kafka|ferretdb|all] [--kill] [--wipe]" ;;
  esac
done

stop_one() {
  local name="$1" pidfile="$2" marker="$3" pid
  if ! pid_alive "$pidfile" "$marker"; then
    log "$name is not running"; rm -f "$pidfile"; return
  fi
  pid="$(cat "$pidfile")"
  log "stopping $name (pid $pid, SIG$signal)"
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    pid_alive "$pidfile" "$marker" || { rm -f "$pidfile"; log "$name stopped"; return; }
    sleep 0.5
  done
  log "$name did not stop within 30s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

if [[ "$target" == all || "$target" == kafka ]]; then
  # A cluster made by `up.sh --brokers N` (scripts/infra/cluster.sh) goes down with the rest.
  if [[ -f "$INFRA_RUN/cluster/cluster.env" ]]; then
    bash "$(dirname "${BASH_SOURCE[0]}")/cluster.sh" down "${cluster_args[@]}"
  fi
  stop_one Kafka "$INFRA_RUN/kafka/kafka.pid" "$INFRA_RUN/kafka/server.properties"
  if ((wipe)); then rm -rf "$KAFKA_DATA"; log "deleted $KAFKA_DATA"; fi
fi
if [[ "$target" == all || "$target" == ferretdb ]]; then
  stop_one FerretDB "$INFRA_RUN/ferretdb/ferretdb.pid" "$FERRETDB_DATA/"
  if ((wipe)); then rm -rf "$FERRETDB_DATA"; log "deleted $FERRETDB_DATA"; fi
fi
