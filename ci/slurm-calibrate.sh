# The calibrate recipe of docs/SCALING.md ("Calibrate on Slurm: one job
# array per wave") on the throwaway cluster that ci/slurm-job-array.sh
# starts: sourced by it (RECIPE=ci/slurm-calibrate.sh), after "cluster up",
# with its say, fail, $repo, $simulate, $tmp, $cpus and $timeout. Submits
# the documented script and loop unchanged (only DRAWS, REPS and WAVES made
# small), waits, and compares the merged files byte for byte with one
# machine's `simulate calibrate` with the same flags.
# Called by tests/slurm_calibrate.rs.

calibrate_block() {
  awk -v want="$1" '
    /^## / { in_section = ($0 == "## Calibrate on Slurm: one job array per wave") }
    in_section && /^```bash$/ { n++; if (n == want) { on = 1; next } }
    on && /^```$/ { exit }
    on { print }
  ' "$repo/docs/SCALING.md"
}
cd "$tmp/work"
calibrate_block 1 >dsrsim-calibrate.sbatch
calibrate_block 2 >submit.sh
grep -q '^#SBATCH --array' dsrsim-calibrate.sbatch || fail "no calibrate array script in docs/SCALING.md"
grep -q -- '--wave "\$WAVE"' dsrsim-calibrate.sbatch || fail "the calibrate array script takes no --wave"
grep -q 'simulate merge' submit.sh || fail "no merge job in the calibrate recipe of docs/SCALING.md"

cp -r "$repo/scenarios" .
mkdir -p bin
ln -s "$simulate" bin/simulate
draws=12 reps=40 waves=2
export PATH=$PWD/bin:$PATH DRAWS=$draws REPS=$reps WAVES=$waves
[ "$cpus" -ge 2 ] || export SBATCH_CPUS_PER_TASK=$cpus
bash -euo pipefail submit.sh >submit.out 2>&1 || fail "the doc's calibrate submit commands failed: $(cat submit.out)"
shards=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\).*/\1/p' dsrsim-calibrate.sbatch)
shards=$((shards + 1))
say "submitted $waves waves of $shards shards and a merge each"

deadline=$((SECONDS + timeout))
while [ -n "$(squeue -h -o %i)" ]; do
  [ "$SECONDS" -lt "$deadline" ] || {
    squeue || true
    fail "jobs not done after ${timeout} s"
  }
  sleep 0.5
done
states=$(scontrol -o show job | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' \n' ' ')
jobs=$(scontrol -o show job | grep -c 'JobState=COMPLETED' || true)
[ "$jobs" = $((waves * (shards + 1))) ] && [ "$states" = " $jobs JobState=COMPLETED " ] ||
  fail "expected $waves waves of $shards array tasks and a merge, all COMPLETED; got:$states"

# One machine's calibration with the same flags, its output folder as deep
# as the merged one (posterior.toml's `extends` is a relative path).
scenario=$(grep -o 'scenarios/[a-z0-9/-]*\.toml' dsrsim-calibrate.sbatch | head -n 1)
targets=$(grep -o -- '--targets [^ ]*' dsrsim-calibrate.sbatch | awk '{print $2}')
params=$(grep -o -- '--params [^ ]*' dsrsim-calibrate.sbatch | awk '{print $2}')
seed=$(grep -o -- '--seed [0-9]*' dsrsim-calibrate.sbatch | awk '{print $2}')
merged=$(grep -o -- "--out [^ \"]*" submit.sh | awk '{print $2}')
"$simulate" calibrate "$scenario" --targets "$targets" --params "$params" \
  --draws "$draws" --reps "$reps" --waves "$waves" --seed "$seed" --quiet --out output/one-machine
for f in calibration.csv targets.csv posterior.csv posterior.toml index.html; do
  cmp "output/one-machine/$f" "$merged/$f" || fail "$merged/$f differs from one machine's"
done
diff -r output/one-machine "$merged" >/dev/null || fail "the merged folder differs from one machine's: $(diff -rq output/one-machine "$merged")"
say "ok: $waves waves of $shards shards of $scenario ($draws draws × $reps runs, seed $seed) merged to one machine's bytes in $((SECONDS - started)) s"
