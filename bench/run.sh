#!/usr/bin/env bash
# Issue 8's benchmark: raw Kafka consume, raw Parquet write and camel-datalake end to end, in one run.
#   bench/run.sh [records]        (default 1,000,000; writes bench/RESULTS.md)
# Not part of `mvn verify`. Needs only Java 17 and Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-1000000}"
mvn -B -q -ntp package -DskipTests                       # target/camel-datalake.jar, the service under test
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -Xmx6g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  org.cameldatalake.bench.ThroughputBenchmark "$records"
