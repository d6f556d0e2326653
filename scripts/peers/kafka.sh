#!/usr/bin/env bash
# Installs Apache Kafka (KRaft) jars from Maven Central with scripts/peers/kafka-pom.xml
# at peers.kafka from src/catalog/versions.json, then verifies a single
# broker+controller starts on 127.0.0.1 and serves a topic.
#
# Installs: $OTELSTACK_CACHE/kafka-<version>/libs/*.jar  (Maven local repo: $OTELSTACK_CACHE/m2)
# Run with: scripts/peers/kafka-run.sh (see README.md)
set -euo pipefail
PEER_NAME=kafka
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_cmd java mvn node sha256sum timeout

VERSION="$(peer_version kafka)"
POM="$PEERS_DIR/kafka-pom.xml"
HOME_DIR="$OTELSTACK_CACHE/kafka-$VERSION"
LIBS="$HOME_DIR/libs"
STAMP="$HOME_DIR/.stamp"
M2="$OTELSTACK_CACHE/m2"

java_major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')"
[[ "${java_major%%.*}" -ge 17 ]] 2>/dev/null || die "Kafka $VERSION needs Java 17+, found '${java_major:-unknown}'"

want_stamp="version=$VERSION pom=$(sha256sum "$POM" | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" ]] && compgen -G "$LIBS/kafka_2.13-$VERSION.jar" >/dev/null; then
  log "kafka $VERSION already installed ($LIBS); skipping download"
else
  stage_begin "mvn copy-dependencies (kafka_2.13:$VERSION)"
  tmp_libs="$HOME_DIR/libs.tmp"
  rm -rf "$tmp_libs"
  mkdir -p "$HOME_DIR" "$M2"
  if ! mvn -q -B -f "$POM" -Dkafka.version="$VERSION" -Dmaven.repo.local="$M2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp_libs" >"$HOME_DIR/mvn.log" 2>&1; then
    tail -n 30 "$HOME_DIR/mvn.log" >&2
    die "maven could not resolve org.apache.kafka:kafka_2.13:$VERSION and its dependencies (log: $HOME_DIR/mvn.log)"
  fi
  compgen -G "$tmp_libs/kafka_2.13-$VERSION.jar" >/dev/null || die "kafka_2.13-$VERSION.jar not among copied dependencies"
  rm -rf "$LIBS"
  mv "$tmp_libs" "$LIBS"
  printf '%s\n' "$want_stamp" >"$STAMP"
  stage_end "$(find "$LIBS" -name '*.jar' | wc -l) jars, $(du -sh "$LIBS" | cut -f1)"
fi

stage_begin "verify single KRaft broker on 127.0.0.1"
export KAFKA_LIB_DIR="$LIBS"
tmp="$(mktemp -d)"
cleanup() {
  timeout 60 "$PEERS_DIR/kafka-run.sh" stop --dir "$tmp/cluster" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
timeout 120 "$PEERS_DIR/kafka-run.sh" start --dir "$tmp/cluster" --nodes 1 --timeout 90 >"$tmp/cluster.env" \
  || die "broker did not start (logs were in $tmp/cluster/node-1)"
timeout 60 "$PEERS_DIR/kafka-run.sh" topics --dir "$tmp/cluster" --create --topic otelstack-verify \
  --partitions 2 --replication-factor 1 >"$tmp/topic.log" 2>&1 \
  || die "kafka-topics --create failed: $(tail -n 20 "$tmp/topic.log")"
timeout 60 "$PEERS_DIR/kafka-run.sh" topics --dir "$tmp/cluster" --list >"$tmp/list.log" 2>&1 \
  || die "kafka-topics --list failed: $(tail -n 20 "$tmp/list.log")"
grep -qx otelstack-verify "$tmp/list.log" || die "created topic not listed: $(cat "$tmp/list.log")"
timeout 60 "$PEERS_DIR/kafka-run.sh" stop --dir "$tmp/cluster" >/dev/null 2>&1 || die "broker did not stop"
stage_end "$(grep KAFKA_BOOTSTRAP "$tmp/cluster.env"), topic created and listed, stopped"

log "installed: kafka $VERSION in $LIBS"
