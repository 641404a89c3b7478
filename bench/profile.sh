#!/usr/bin/env bash
# Where the service's time goes: the service against the hand-written peer once (BENCH_ONLY_RACE), the service under
# Java Flight Recorder (settings=profile), then its CPU samples summarised by top frame, by package and by thread.
#   bench/profile.sh [records]     (default 1,000,000; the recording is left in target/service.jfr)
# As bench/run.sh, keep builds away from it: flock /tmp/mvn-build.lock bash bench/profile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-1000000}"
jfr_file="$PWD/target/service.jfr"
mvn -B -q -ntp package -DskipTests
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
BENCH_ONLY_RACE=1 BENCH_SERVICE_JVM_OPTS="-XX:StartFlightRecording=filename=$jfr_file,settings=profile" \
  java -Xmx6g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.cameldatalake.bench.ThroughputBenchmark "$records"
jfr print --events jdk.ExecutionSample "$jfr_file" | awk '
  /sampledThread = / { t = $0; sub(/.*sampledThread = "/, "", t); sub(/".*/, "", t); gsub(/[0-9]+/, "#", t) }
  /stackTrace = \[/ { getline f; sub(/^[ \t]+/, "", f); sub(/\(.*/, "", f); top[f]++; n++; thread[t]++
                      p = f; sub(/\.[^.]+\.[^.]+$/, "", p); pkg[p]++ }
  END {
    printf "%d CPU samples\n\nby top frame:\n", n
    for (k in top) printf "%6.1f %%  %s\n", 100 * top[k] / n, k | "sort -rn | head -25"; close("sort -rn | head -25")
    print "\nby package of the top frame:"
    for (k in pkg) printf "%6.1f %%  %s\n", 100 * pkg[k] / n, k | "sort -rn | head -15"; close("sort -rn | head -15")
    print "\nby thread:"
    for (k in thread) printf "%6.1f %%  %s\n", 100 * thread[k] / n, k | "sort -rn | head -10"
  }'
