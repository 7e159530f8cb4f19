#!/usr/bin/env bash
# Runs Apache Kafka's own command-line tools from the cached jars (no Kafka install needed):
#   bash scripts/kafka-tools.sh topics --describe --topic user-activity-logs
#   bash scripts/kafka-tools.sh groups --describe --group user-activity-processor
#   bash scripts/kafka-tools.sh perf-producer --topic T --num-records 1000 --record-size 200 --throughput -1
# --bootstrap-server defaults to KAFKA_HOST:KAFKA_PORT (127.0.0.1:9092) when not given.
source "$(dirname "${BASH_SOURCE[0]}")/infra/env.sh"

usage() {
  sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "tools: topics | groups | perf-producer | console-consumer | console-producer | get-offsets" >&2
  exit 2
}

tool="${1:-}"
[[ -n "$tool" ]] || usage
shift
case "$tool" in
  topics) class=org.apache.kafka.tools.TopicCommand ;;
  groups) class=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  perf-producer) class=org.apache.kafka.tools.ProducerPerformance ;;
  console-consumer) class=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  console-producer) class=org.apache.kafka.tools.ConsoleProducer ;;
  get-offsets) class=org.apache.kafka.tools.GetOffsetShell ;;
  -h | --help | help) usage ;;
  *) echo "unknown tool: $tool" >&2; usage ;;
esac

[[ -f "$KAFKA_HOME/libs/kafka-tools-$KAFKA_VERSION.jar" ]] \
  || die "Kafka $KAFKA_VERSION jars are not in $KAFKA_HOME/libs; run: npm run infra:install"
require_tool java "run Kafka's tools" "apt-get install openjdk-17-jre-headless"

args=("$@")
if [[ "$tool" == perf-producer ]]; then
  # ProducerPerformance takes the servers as a producer property, not --bootstrap-server.
  [[ " $* " == *" bootstrap.servers="* ]] || args+=(--producer-props "bootstrap.servers=$KAFKA_HOST:$KAFKA_PORT")
elif [[ " $* " != *" --bootstrap-server"* ]]; then
  args+=(--bootstrap-server "$KAFKA_HOST:$KAFKA_PORT")
fi

exec java -Xmx256m -Dlog4j2.level=WARN -cp "$KAFKA_HOME/libs/*" "$class" "${args[@]}"
