#!/usr/bin/env bash
# Installs Apache Kafka (jars from Maven Central) and FerretDB (built from the Go module proxy)
# into the ignored cache folder. Re-running is a no-op once both are present.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

install_kafka() {
  if [[ -f "$KAFKA_HOME/libs/kafka_$KAFKA_SCALA_VERSION-$KAFKA_VERSION.jar" ]]; then
    log "Kafka $KAFKA_VERSION already installed in $KAFKA_HOME"; return
  fi
  require_tool java "run the Kafka broker (Java 17 or newer)" "apt-get install openjdk-17-jre-headless"
  require_tool mvn "download the Kafka jars from Maven Central" "apt-get install maven"
  local java_major
  java_major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
  (( ${java_major%%.*} >= 17 )) || die "Kafka $KAFKA_VERSION needs Java 17 or newer; found $java_major"
  log "downloading Kafka $KAFKA_VERSION jars from Maven Central (one-time, ~60 MB)"
  local tmp="$KAFKA_HOME.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  cat >"$tmp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.eyego</groupId><artifactId>kafka-dist</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$KAFKA_SCALA_VERSION</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  (cd "$tmp" && mvn -B -q dependency:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime) \
    || die "Maven could not fetch Kafka $KAFKA_VERSION (see the output above)"
  rm -rf "$KAFKA_HOME" && mv "$tmp" "$KAFKA_HOME"
  log "Kafka $KAFKA_VERSION installed: $(ls "$KAFKA_HOME/libs" | wc -l) jars"
}

install_ferretdb() {
  if [[ -x "$FERRETDB_BIN" ]]; then
    log "FerretDB $FERRETDB_VERSION already installed in $FERRETDB_HOME"; return
  fi
  require_tool go "build FerretDB from the Go module proxy" "apt-get install golang (1.22 or newer)"
  log "building FerretDB $FERRETDB_VERSION from the Go module proxy (one-time, ~1-3 min)"
  local module="github.com/FerretDB/FerretDB@$FERRETDB_VERSION" dir tmp="$FERRETDB_HOME.tmp"
  dir="$(go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" && -d "$dir" ]] || die "go mod download $module failed"
  rm -rf "$tmp" && mkdir -p "$tmp" && cp -r "$dir" "$tmp/src" && chmod -R u+w "$tmp/src"
  # The module ships without build/version/version.txt; a binary built without it panics at start.
  echo "$FERRETDB_VERSION" >"$tmp/src/build/version/version.txt"
  # One-line fix: the SQLite handler indexes _id as `_ferretdb_sjson->"_id"` but looks it up
  # (find, update and delete by _id) as `_ferretdb_sjson->'$._id'`, an expression SQLite cannot
  # match to that index, so every lookup by _id scanned the table (139 ms at 20,000 documents,
  # 1.5 ms with the fix; README "Local infrastructure"). Same result set, same unique index.
  local meta="$tmp/src/internal/backends/sqlite/metadata/metadata.go"
  sed -i "s|IDColumn = DefaultColumn + \"->'\\\$._id'\"|IDColumn = DefaultColumn + \`->\"_id\"\`|" "$meta"
  grep -q 'IDColumn = DefaultColumn + `->"_id"`' "$meta" \
    || die "could not apply the _id lookup fix to FerretDB $FERRETDB_VERSION ($meta)"
  (cd "$tmp/src" && GOFLAGS=-buildvcs=false go build -trimpath -o "$tmp/ferretdb" ./cmd/ferretdb) \
    || die "building FerretDB failed (see the output above)"
  rm -rf "$tmp/src" "$FERRETDB_HOME" && mv "$tmp" "$FERRETDB_HOME"
  log "FerretDB $FERRETDB_VERSION built: $FERRETDB_BIN"
}

# Debian's chromium for test/browser (the client SDK in a real browser; no browser download).
install_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    log "installing Debian's chromium (apt-get) for test/browser"
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null \
      || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null; } \
      || die "apt-get install chromium failed"
  else
    log "chromium is missing: test/browser will fail; install it (apt-get install -y chromium) or set CHROMIUM_PATH"
  fi
}

mkdir -p "$INFRA_CACHE"
case "${1:-all}" in
  kafka) install_kafka ;;
  ferretdb) install_ferretdb ;;
  chromium) install_chromium ;;
  all) install_kafka; install_ferretdb; install_chromium ;;
  *) die "usage: install.sh [kafka|ferretdb|chromium|all]" ;;
esac
