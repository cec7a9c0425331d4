#!/usr/bin/env bash
# Builds the connector and runs the benchmarks against the local stand-in, printing one table (docs/benchmarks.md
# explains each figure). Arguments go to the harness: --messages N (SMTP, default 2000), --graph-latency-ms N
# (default 50), --smoke (a few messages each).
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o dependency:build-classpath -pl benchmarks -DincludeScope=runtime \
  -Dmdep.outputFile=target/classpath.txt >/dev/null
# The harness JVM also runs the stand-in, which keeps what it receives (a 100 MB attachment among it); the JVMs
# it measures heap in are started with their own -Xmx.
exec java -Xmx2g -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  org.m365mail.bench.Benchmarks --work-dir benchmarks/target/bench "$@"
