#!/usr/bin/env bash
# Mutation testing (PIT) of the adapter's unit tests: how many deliberately broken versions of the code the tests
# catch, per package (docs/reliability.md). Takes long: minutes per package, about an hour for all of them.
# Usage: ./mutation.sh [package, e.g. org.m365mail.transport.smtp; default: all]
set -euo pipefail
cd "$(dirname "$0")"
target="${1:+$1.*}"
target="${target:-org.m365mail.*}"
mvn -B -q install -DskipTests -pl connector/adapter -am
mvn -B -o -Pmutation -pl connector/adapter test-compile org.pitest:pitest-maven:mutationCoverage \
  -Dmutation.target="$target" > connector/adapter/target/mutation.log 2>&1 \
  || { tail -40 connector/adapter/target/mutation.log; exit 1; }
report=connector/adapter/target/pit-reports/mutations.xml
# One <mutation> element per line: its status and the class it mutated. Score = killed / all mutants (PIT's
# "mutation score"); strength = killed / mutants some test reaches.
grep -o "status='[A-Z_]*'.*<mutatedClass>[^<]*</mutatedClass>" "$report" \
  | sed -E "s/status='([A-Z_]*)'.*<mutatedClass>([^<]*)<\/mutatedClass>/\1 \2/" \
  | awk '{
      pkg = $2; sub(/\.[^.]*$/, "", pkg); sub(/\$.*/, "", pkg);
      total[pkg]++; all++;
      if ($1 == "KILLED" || $1 == "TIMED_OUT" || $1 == "MEMORY_ERROR") { killed[pkg]++; k++ }
      if ($1 != "NO_COVERAGE") { covered[pkg]++; c++ }
    }
    END {
      printf "%-40s %8s %8s %7s %9s\n", "package", "mutants", "killed", "score", "strength";
      n = asorti(total, names);
      for (i = 1; i <= n; i++) { p = names[i];
        printf "%-40s %8d %8d %6.0f%% %8.0f%%\n", p, total[p], killed[p], 100 * killed[p] / total[p],
          covered[p] ? 100 * killed[p] / covered[p] : 0 }
      printf "%-40s %8d %8d %6.0f%% %8.0f%%\n", "all", all, k, 100 * k / all, c ? 100 * k / c : 0
    }'
echo "report: connector/adapter/target/pit-reports/index.html"
