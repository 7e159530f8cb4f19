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

# build_ferretdb HOME PUSHDOWN: builds FerretDB into HOME; PUSHDOWN=yes also applies the index
# pushdown patch (the read bench's baseline is the same build without it).
build_ferretdb() {
  local home="$1" pushdown="$2"
  if [[ -x "$home/ferretdb" ]]; then
    log "FerretDB $FERRETDB_VERSION already installed in $home"; return
  fi
  require_tool go "build FerretDB from the Go module proxy" "apt-get install golang (1.22 or newer)"
  log "building FerretDB $FERRETDB_VERSION from the Go module proxy into $home (one-time, ~1-3 min)"
  local module="github.com/FerretDB/FerretDB@$FERRETDB_VERSION" dir tmp="$home.tmp"
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
  if [[ "$pushdown" == yes ]]; then
    # Index pushdown: finds with string conditions and sorts on indexed fields become SQL that
    # seeks the SQLite indexes createIndexes makes, instead of reading the whole table (README
    # "Read API at scale"; the patch's pushdown.go says when it applies).
    local patch_file="$REPO_ROOT/scripts/infra/ferretdb-index-pushdown.patch"
    if command -v patch >/dev/null 2>&1; then
      (cd "$tmp/src" && patch -p1 --forward --no-backup-if-mismatch --quiet <"$patch_file")
    else
      # git apply resolves paths from the enclosing repository's root, so give src its own.
      (cd "$tmp/src" && git init -q && git apply "$patch_file" && rm -rf .git)
    fi || die "could not apply $patch_file to FerretDB $FERRETDB_VERSION"
  fi
  (cd "$tmp/src" && GOFLAGS=-buildvcs=false go build -trimpath -o "$tmp/ferretdb" ./cmd/ferretdb) \
    || die "building FerretDB failed (see the output above)"
  rm -rf "$tmp/src" "$home" && mv "$tmp" "$home"
  log "FerretDB $FERRETDB_VERSION built: $home/ferretdb"
}

# MirrorMaker 2 (disaster recovery, README "Kafka cluster"): connect-mirror and its Connect runtime
# from Maven Central into a folder of their own (their kafka-clients is the broker's version).
# Only on request (`install.sh mirror`), not part of `all`: the DR test and runbook need it.
install_mirror() {
  local home="$INFRA_CACHE/kafka-mirror-$KAFKA_VERSION"
  if [[ -f "$home/libs/connect-mirror-$KAFKA_VERSION.jar" ]]; then
    log "MirrorMaker 2 $KAFKA_VERSION already installed in $home"; return
  fi
  require_tool mvn "download the MirrorMaker 2 jars from Maven Central" "apt-get install maven"
  log "downloading MirrorMaker 2 (connect-mirror $KAFKA_VERSION) jars from Maven Central (one-time)"
  local tmp="$home.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  cat >"$tmp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.eyego</groupId><artifactId>kafka-mirror-dist</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-mirror</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-mirror-client</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  (cd "$tmp" && mvn -B -q dependency:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime) \
    || die "Maven could not fetch connect-mirror $KAFKA_VERSION (see the output above)"
  rm -rf "$home" && mv "$tmp" "$home"
  log "MirrorMaker 2 $KAFKA_VERSION installed: $(ls "$home/libs" | wc -l) jars"
}

install_ferretdb() { build_ferretdb "$FERRETDB_HOME" yes; }
install_ferretdb_baseline() { build_ferretdb "$FERRETDB_BASELINE_HOME" no; }

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
  mirror) install_mirror ;;
  kafka) install_kafka ;;
  ferretdb) install_ferretdb ;;
  ferretdb-baseline) install_ferretdb_baseline ;;
  chromium) install_chromium ;;
  all) install_kafka; install_ferretdb; install_chromium ;;
  *) die "usage: install.sh [kafka|ferretdb|ferretdb-baseline|chromium|all|mirror]" ;;
esac
