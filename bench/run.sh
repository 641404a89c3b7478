#!/usr/bin/env bash
# The throughput benchmark: raw Kafka consume, raw Parquet write, camel-datalake end to end against a hand-written
# one-thread peer (same rows, both launched alike), then 6 partitions / 4 days and 20 feeds at once, in one run.
#   bench/run.sh [records]        (default 1,000,000; writes bench/RESULTS.md)
# Not part of `mvn verify`. Needs only Java 17 and Maven. On a shared machine, keep builds away from it:
#   flock /tmp/mvn-build.lock bash bench/run.sh
# Parts alone (RESULTS.md untouched): BENCH_ONLY_RAW=1 (a) and (b), BENCH_ONLY_RACE=1 the service against the peer,
# BENCH_ONLY_SERVICE=1, BENCH_ONLY_BARE=1, BENCH_ONLY_STARTUP=1, BENCH_ONLY_CDS=1 (the service without and with a CDS
# archive), BENCH_ONLY_AB="-Dx=a|-Dx=b" (the service as A, B, A, B); BENCH_PARTITIONS, BENCH_DAYS, BENCH_SERVICE_JVM_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-1000000}"
mvn -B -q -ntp package -DskipTests                       # target/camel-datalake.jar, the service under test
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -Xmx6g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.cameldatalake.bench.ThroughputBenchmark "$records"
