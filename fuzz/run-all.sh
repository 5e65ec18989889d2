#!/usr/bin/env bash
# The long fuzzing runs, one target at a time (two shared cores): each up to
# 10^7 executions or its time cap, whichever comes first. Logs in fuzz/logs/.
# Usage: fuzz/run-all.sh [TARGET:SECONDS ...]  (from the repository root)
set -u
cd "$(dirname "$0")"
bin=target/x86_64-unknown-linux-gnu/release
plan=("$@")
[ ${#plan[@]} -gt 0 ] || plan=(outcome:480 setting:720 targets:720 shard:600 scenario:900 workshop:300)
for item in "${plan[@]}"; do
  t=${item%%:*}; secs=${item##*:}
  mkdir -p corpus-full/$t artifacts/$t
  cp -n corpus/$t/* corpus-full/$t/ 2>/dev/null
  echo "== $t $(date -u +%H:%M:%S) cap ${secs}s" >> logs/summary.txt
  nice -n 10 $bin/$t -runs=10000000 -max_total_time="$secs" -max_len=8192 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix=artifacts/$t/ corpus-full/$t > logs/$t.log 2>&1
  echo "   rc=$? $(grep -a -E '^(stat::number_of_executed_units|stat::average_exec_per_sec)' logs/$t.log | tr '\n' ' ')" >> logs/summary.txt
  ls artifacts/$t >> logs/summary.txt
done
echo "== done $(date -u +%H:%M:%S)" >> logs/summary.txt
