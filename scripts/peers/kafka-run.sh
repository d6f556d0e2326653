#!/usr/bin/env bash
# Start / stop a local Kafka (KRaft) cluster for tests: N nodes, each running
# broker+controller in combined mode, on 127.0.0.1 only.
#
# Usage:
#   kafka-run.sh start --dir DIR [--nodes N] [--ports P1,P2,..] [--controller-ports C1,C2,..] [--timeout S]
#   kafka-run.sh stop  --dir DIR [--node I] [--grace S]   # all nodes (grace 10s), or just node I (30s)
#   kafka-run.sh start-node --dir DIR --node I [--timeout S]   # restart a stopped node (same data)
#   kafka-run.sh topics --dir DIR <TopicCommand args...>       # kafka-topics against this cluster
#   kafka-run.sh status --dir DIR
#
# Ports default to free loopback ports chosen at start. After `start`, DIR/cluster.env holds
#   KAFKA_BOOTSTRAP=127.0.0.1:P1,127.0.0.1:P2,...  KAFKA_NODES=N  KAFKA_PIDS="pid1 pid2 ..."
# and the same lines are printed on stdout (nothing else goes to stdout), so callers can `eval`.
# Per node: DIR/node-I/{server.properties,log4j2.properties,server.log,stdout.log,kafka.pid,data/}
#
# Needs KAFKA_LIB_DIR (exported by scripts/peers/env.sh) or a Kafka installed by kafka.sh.
# Heap per node: KAFKA_HEAP_OPTS (default -Xms256m -Xmx512m).
set -euo pipefail

PEER_NAME=kafka-run
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

if [[ -z "${KAFKA_LIB_DIR:-}" ]]; then
  KAFKA_LIB_DIR="$OTELSTACK_CACHE/kafka-$(peer_version kafka)/libs"
fi
if ! compgen -G "$KAFKA_LIB_DIR/kafka_2.13-*.jar" >/dev/null; then
  die "Kafka libs not found in $KAFKA_LIB_DIR; run scripts/peers/kafka.sh first"
fi
KAFKA_CP="$KAFKA_LIB_DIR/*"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
need_cmd java

cmd="${1:-}"; [[ -n "$cmd" ]] || die "usage: kafka-run.sh start|stop|start-node|topics|status --dir DIR ..."
shift
DIR="" NODES=1 PORTS="" CPORTS="" NODE="" TIMEOUT=90 GRACE=""
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --nodes) NODES="$2"; shift 2 ;;
    --ports) PORTS="$2"; shift 2 ;;
    --controller-ports) CPORTS="$2"; shift 2 ;;
    --node) NODE="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --grace) GRACE="$2"; shift 2 ;;
    --) shift; EXTRA+=("$@"); break ;;
    *) if [[ "$cmd" == topics ]]; then EXTRA+=("$1"); shift; else die "unknown argument: $1"; fi ;;
  esac
done
[[ -n "$DIR" ]] || die "--dir DIR is required"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

# Short-lived tool JVMs (storage format, topics): C1 only + serial GC start faster.
TOOL_JVM_OPTS=(-Djava.awt.headless=true -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss1m)
kjava() { java "${TOOL_JVM_OPTS[@]}" -cp "$KAFKA_CP" "$@"; }

node_pid() { if [[ -f "$DIR/node-$1/kafka.pid" ]]; then cat "$DIR/node-$1/kafka.pid"; fi; }

write_env() {
  local i pids=() bootstrap=()
  # shellcheck disable=SC1091
  source "$DIR/cluster.conf"
  for ((i = 1; i <= NODES; i++)); do
    bootstrap+=("127.0.0.1:${PORT_OF[$i]}")
    pids+=("$(node_pid "$i")")
  done
  {
    echo "KAFKA_BOOTSTRAP=$(IFS=,; echo "${bootstrap[*]}")"
    echo "KAFKA_NODES=$NODES"
    echo "KAFKA_PIDS=\"${pids[*]}\""
  } >"$DIR/cluster.env"
  cat "$DIR/cluster.env"
}

launch_node() { # launch_node I  (config already written and storage formatted)
  local i="$1" nd="$DIR/node-$1" pid
  pid="$(node_pid "$i")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    log "node $i already running (pid $pid)"; return 0
  fi
  : >"$nd/server.log"
  # shellcheck disable=SC2086
  nohup java $HEAP_OPTS -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$nd/log4j2.properties" \
    -cp "$KAFKA_CP" kafka.Kafka "$nd/server.properties" >"$nd/stdout.log" 2>&1 </dev/null &
  echo $! >"$nd/kafka.pid"
  log "node $i started (pid $!)"
}

wait_nodes() { # wait_nodes I...  bounded wait for "Kafka Server started" in each node's log
  local i pid deadline
  deadline=$(( $(date +%s) + TIMEOUT ))
  for i in "$@"; do
    pid="$(node_pid "$i")"
    until grep -q 'Kafka Server started' "$DIR/node-$i/server.log" 2>/dev/null; do
      if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 30 "$DIR/node-$i/stdout.log" "$DIR/node-$i/server.log" >&2 || true
        die "node $i (pid $pid) exited during startup; logs in $DIR/node-$i"
      fi
      if (( $(date +%s) >= deadline )); then
        tail -n 30 "$DIR/node-$i/server.log" >&2 || true
        die "node $i not ready within ${TIMEOUT}s; logs in $DIR/node-$i"
      fi
      sleep 0.5
    done
  done
}

stop_nodes() { # stop_nodes GRACE_S I...
  local i pid grace="$1"; shift
  for i in "$@"; do
    pid="$(node_pid "$i")"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for i in "$@"; do
    pid="$(node_pid "$i")"
    [[ -n "$pid" ]] || continue
    local n=0
    while kill -0 "$pid" 2>/dev/null && (( n < grace * 4 )); do sleep 0.25; n=$((n + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      log "node $i (pid $pid) did not stop in ${grace}s; killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/node-$i/kafka.pid"
    log "node $i stopped"
  done
}

case "$cmd" in
  start)
    [[ "$NODES" =~ ^[1-9][0-9]*$ ]] || die "--nodes must be a positive integer"
    [[ ! -f "$DIR/cluster.conf" ]] || die "$DIR already holds a cluster (cluster.conf); use start-node, or stop and remove it"
    IFS=, read -r -a P <<<"$PORTS"
    IFS=, read -r -a CP <<<"$CPORTS"
    [[ -z "$PORTS" || ${#P[@]} -eq $NODES ]] || die "--ports needs $NODES ports"
    [[ -z "$CPORTS" || ${#CP[@]} -eq $NODES ]] || die "--controller-ports needs $NODES ports"
    declare -A PORT_OF CPORT_OF
    voters=()
    read -r -a FREE <<<"$(free_ports $((2 * NODES)))"
    for ((i = 1; i <= NODES; i++)); do
      PORT_OF[$i]="${P[$((i - 1))]:-${FREE[$((2 * i - 2))]}}"
      CPORT_OF[$i]="${CP[$((i - 1))]:-${FREE[$((2 * i - 1))]}}"
      voters+=("$i@127.0.0.1:${CPORT_OF[$i]}")
    done
    rf=$(( NODES < 3 ? NODES : 3 ))
    minisr=$(( rf > 1 ? 2 : 1 ))
    # Same format as `kafka-storage random-uuid`: 16 random bytes, base64url, no padding — and, like Kafka's own
    # Uuid.randomUuid, never starting with "-", which kafka-storage's argument parser would take for an option.
    cluster_id="$(node -e 'const c=require("crypto");let id;do{id=c.randomBytes(16).toString("base64url")}while(id.startsWith("-"));process.stdout.write(id)')"
    [[ ${#cluster_id} -eq 22 ]] || die "could not generate a cluster id"
    {
      echo "NODES=$NODES"
      echo "CLUSTER_ID=$cluster_id"
      echo "declare -A PORT_OF=( $(for ((i = 1; i <= NODES; i++)); do printf '[%d]=%s ' "$i" "${PORT_OF[$i]}"; done))"
      echo "declare -A CPORT_OF=( $(for ((i = 1; i <= NODES; i++)); do printf '[%d]=%s ' "$i" "${CPORT_OF[$i]}"; done))"
    } >"$DIR/cluster.conf"
    for ((i = 1; i <= NODES; i++)); do
      nd="$DIR/node-$i"
      mkdir -p "$nd/data"
      cat >"$nd/server.properties" <<EOF
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$(IFS=,; echo "${voters[*]}")
listeners=PLAINTEXT://127.0.0.1:${PORT_OF[$i]},CONTROLLER://127.0.0.1:${CPORT_OF[$i]}
advertised.listeners=PLAINTEXT://127.0.0.1:${PORT_OF[$i]}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$nd/data
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$minisr
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$minisr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$minisr
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
EOF
      cat >"$nd/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $nd/server.log
appender.file.append = true
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = org.apache.kafka
logger.kafka.level = INFO
EOF
    done
    # kafka-storage format, all nodes in parallel (one short JVM each)
    fmt_pids=()
    for ((i = 1; i <= NODES; i++)); do
      kjava kafka.tools.StorageTool format -t "$cluster_id" -c "$DIR/node-$i/server.properties" \
        >"$DIR/node-$i/format.log" 2>&1 &
      fmt_pids+=("$!")
    done
    for ((i = 1; i <= NODES; i++)); do
      wait "${fmt_pids[$((i - 1))]}" || { cat "$DIR/node-$i/format.log" >&2; die "kafka-storage format failed for node $i"; }
    done
    for ((i = 1; i <= NODES; i++)); do launch_node "$i"; done
    wait_nodes $(seq 1 "$NODES")
    write_env
    ;;
  start-node)
    [[ -n "$NODE" ]] || die "start-node needs --node I"
    [[ -f "$DIR/cluster.conf" ]] || die "no cluster in $DIR"
    launch_node "$NODE"
    wait_nodes "$NODE"
    write_env
    ;;
  stop)
    [[ -f "$DIR/cluster.conf" ]] || { log "no cluster in $DIR"; exit 0; }
    # shellcheck disable=SC1091
    source "$DIR/cluster.conf"
    # One node: controlled shutdown (leadership moves away) gets up to 30s.
    # Whole cluster: the last nodes to go lose the controller quorum and their
    # controlled shutdown can hang, so they are killed after 10s (page cache keeps the data).
    if [[ -n "$NODE" ]]; then stop_nodes "${GRACE:-30}" "$NODE"; else stop_nodes "${GRACE:-10}" $(seq 1 "$NODES"); fi
    ;;
  status)
    [[ -f "$DIR/cluster.conf" ]] || die "no cluster in $DIR"
    # shellcheck disable=SC1091
    source "$DIR/cluster.conf"
    for ((i = 1; i <= NODES; i++)); do
      pid="$(node_pid "$i")"
      if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then s=running; else s=stopped; fi
      echo "node $i port ${PORT_OF[$i]} controller ${CPORT_OF[$i]} pid ${pid:--} $s"
    done
    ;;
  topics)
    [[ -f "$DIR/cluster.conf" ]] || die "no cluster in $DIR"
    # shellcheck disable=SC1091
    source "$DIR/cluster.conf"
    bs=""; for ((i = 1; i <= NODES; i++)); do bs+="${bs:+,}127.0.0.1:${PORT_OF[$i]}"; done
    exec java "${TOOL_JVM_OPTS[@]}" -Dlog4j2.level=WARN -cp "$KAFKA_CP" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" "${EXTRA[@]}"
    ;;
  *) die "unknown command '$cmd' (start|stop|start-node|topics|status)" ;;
esac
