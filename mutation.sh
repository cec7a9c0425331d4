#!/usr/bin/env bash
# Mutation testing (PIT) of the adapter's unit tests: how many deliberately broken versions of the code the tests
# catch, per package (docs/reliability.md). Many tests talk to the stand-in over real sockets and wait out timeouts
# and backoffs, so a mutant can cost a minute: run one package at a time, with its own tests.
# Usage: ./mutation.sh [packages or classes, comma-separated, e.g. org.m365mail.policy or
#                       org.m365mail.transport.graph.LargeMessageUpload; default: all]
#                      [tests, as PIT globs, default: the packages' own, e.g. 'org.m365mail.policy.*,*BadInputTest']
# MUTATION_REPORTS=dir puts the report elsewhere than connector/adapter/target/pit-reports (two runs kept apart).
set -euo pipefail
cd "$(dirname "$0")"
# A package takes its classes (org.m365mail.policy.*), a class takes itself and its inner classes (…Upload*).
target="$(echo "${1:-org.m365mail}" | tr ',' '\n' \
  | sed -E '/\.[A-Z][A-Za-z0-9_]*$/ s/$/*/; /\*$/! s/$/.*/' | paste -sd, -)"
tests="${2:-$(echo "${1:-org.m365mail}" | tr ',' '\n' | sed -E 's/\.[A-Z][A-Za-z0-9_]*$//; s/$/.*/' | paste -sd, -)}"
reports="${MUTATION_REPORTS:-connector/adapter/target/pit-reports}"
reports="$(cd "$(dirname "$reports")" 2>/dev/null && pwd)/$(basename "$reports")" || { echo "no such folder: $reports" >&2; exit 2; }
mvn -B -q install -DskipTests -pl connector/adapter -am
mvn -B -Pmutation -pl connector/adapter test-compile org.pitest:pitest-maven:mutationCoverage \
  -Dmutation.target="$target" -Dmutation.tests="$tests" -DreportsDirectory="$reports" > "$reports.log" 2>&1 \
  || { tail -40 "$reports.log"; exit 1; }
report="$reports/mutations.xml"
# One <mutation> element per line: its status and the class it mutated. Score = killed / all mutants (PIT's
# "mutation score"); strength = killed / mutants some test reaches.
summary="$(grep -o "status='[A-Z_]*'.*<mutatedClass>[^<]*</mutatedClass>" "$report" \
  | sed -E "s/status='([A-Z_]*)'.*<mutatedClass>([^<]*)<\/mutatedClass>/\1 \2/")"
# Killed: KILLED, TIMED_OUT, MEMORY_ERROR (the tests noticed); covered: all but NO_COVERAGE.
line() { awk -v name="$1" '{ total++; if ($1 == "KILLED" || $1 == "TIMED_OUT" || $1 == "MEMORY_ERROR") k++;
  if ($1 != "NO_COVERAGE") c++ }
  END { if (total) printf "%-40s %8d %8d %6.0f%% %8.0f%%\n", name, total, k, 100 * k / total, c ? 100 * k / c : 0 }'; }
printf "%-40s %8s %8s %7s %9s\n" package mutants killed score strength
for pkg in $(echo "$summary" | awk '{ p = $2; sub(/\$.*/, "", p); sub(/\.[^.]*$/, "", p); print p }' | sort -u); do
  echo "$summary" | awk -v p="$pkg" '{ c = $2; sub(/\$.*/, "", c); sub(/\.[^.]*$/, "", c); if (c == p) print }' \
    | line "$pkg"
done
echo "$summary" | line all
echo "report: $reports/index.html"
