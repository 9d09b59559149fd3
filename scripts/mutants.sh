#!/usr/bin/env bash
# Mutation testing: each mutant in scripts/mutants/mutants.txt is a small, deliberate bug (a sign in
# a backward rule, a dropped bias correction, a checkpoint field not restored...). Each is applied
# to a scratch copy of the working tree (build-mutants/tree), built, and run against the test
# labels that should catch it. A mutant is killed when a test fails; the script fails if any
# mutant survives, fails to apply, or fails to build. The tree itself is never modified.
#   scripts/mutants.sh            every mutant (about 20 minutes on 2 cores; docs/testing.md)
#   scripts/mutants.sh REGEX      the mutants whose name matches REGEX (grep -E)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
table=$root/scripts/mutants/mutants.txt
work=$root/build-mutants
tree=$work/tree
build=$work/build
filter=${1:-.}
jobs=$(nproc)

# Mutants as records: name, file, from/to pairs (applied in order, each must match exactly once),
# labels (a ctest -L regex).
names=() files=() edits=() labels=()
flush() {
  [ -z "${name:-}" ] && return
  if echo "$name" | grep -qE -- "$filter"; then
    names+=("$name") files+=("$file") edits+=("$edit") labels+=("$label")
  fi
  name='' file='' edit='' label=''
}
name='' file='' edit='' label=''
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    '#'* ) ;;
    '' ) flush ;;
    'name: '* ) name=${line#name: } ;;
    'file: '* ) file=${line#file: } ;;
    'from: '* ) edit+="from"$'\x1f'"${line#from: }"$'\x1e' ;;
    'to: '* ) edit+="to"$'\x1f'"${line#to: }"$'\x1e' ;;
    'labels: '* ) label=${line#labels: } ;;
    * ) echo "mutants.txt: cannot read '$line'" >&2; exit 2 ;;
  esac
done <"$table"
flush
[ ${#names[@]} -gt 0 ] || { echo "no mutant matches '$filter'" >&2; exit 2; }

# The test programs a label regex needs: test_<layer> for each layer it names, and the descent
# command for cli.
targets_for() {
  local t=() layer
  for layer in core data nn loss optim train lr report cli; do
    [[ $layer =~ ^($1)$ ]] && t+=("test_$layer")
  done
  [[ cli =~ ^($1)$ ]] && t+=(descent)
  echo "${t[@]}"
}

# Replaces each `from` with its `to` in FILE; exits 1 unless each `from` occurs exactly once.
apply_edits() {
  EDITS=$2 /usr/bin/env python3 - "$1" <<'PY'
import os, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
fields = [f for f in os.environ["EDITS"].split("\x1e") if f]
pairs = [(fields[i].split("\x1f", 1)[1], fields[i + 1].split("\x1f", 1)[1])
         for i in range(0, len(fields), 2)]
for old, new in pairs:
    count = text.count(old)
    if count != 1:
        sys.exit(f"{path}: '{old}' occurs {count} times, not once")
    text = text.replace(old, new)
open(path, "w", encoding="utf-8").write(text)
PY
}

mkdir -p "$work"
# By content, with fresh modification times: a file that changed is rebuilt, one that did not is not
# (copying old times could leave an object built from a mutant looking newer than its source).
rsync -rl --checksum --delete --exclude '/build*' --exclude '/.git' "$root"/ "$tree"/
cmake -S "$tree" -B "$build" -DCMAKE_BUILD_TYPE=Release -DDESCENT_BUILD_EXAMPLES=OFF \
  -DDESCENT_BUILD_BENCH=OFF >/dev/null

all_labels=$(printf '%s\n' "${labels[@]}" | tr '|' '\n' | sort -u | paste -sd'|')
start=$SECONDS
echo "== baseline: building $(targets_for "$all_labels") and running labels $all_labels"
cmake --build "$build" -j"$jobs" --target $(targets_for "$all_labels") >"$work/baseline.log" 2>&1 ||
  { tail -n 30 "$work/baseline.log"; echo "the unmutated tree does not build" >&2; exit 1; }
ctest --test-dir "$build" --no-tests=error -j"$jobs" --timeout 300 -L "^($all_labels)$" \
  >>"$work/baseline.log" 2>&1 ||
  { tail -n 30 "$work/baseline.log"; echo "the unmutated tree fails its tests" >&2; exit 1; }
echo "   baseline passes ($((SECONDS - start)) s)"

results=() survivors=0
for i in "${!names[@]}"; do
  name=${names[$i]} file=${files[$i]} label=${labels[$i]}
  log=$work/mutant-$i.log
  t0=$SECONDS
  verdict=killed
  cp -p "$tree/$file" "$work/original"
  if ! apply_edits "$tree/$file" "${edits[$i]}" >"$log" 2>&1; then
    verdict=NOT-APPLIED
  elif ! cmake --build "$build" -j"$jobs" --target $(targets_for "$label") >>"$log" 2>&1; then
    verdict=NOT-BUILT
  elif ctest --test-dir "$build" --no-tests=error -j"$jobs" --timeout 300 -L "^($label)$" \
    >>"$log" 2>&1; then
    verdict=SURVIVED
  fi
  # Back to the original, with a fresh modification time so that the next build recompiles it
  # (the working tree may have moved on since the copy was made).
  cp "$work/original" "$tree/$file"
  touch "$tree/$file"
  killers=$(sed -n '/The following tests FAILED/,$p' "$log" | sed -n 's/^\s*[0-9]* - \(\S*\).*/\1/p' |
    head -n 3 | paste -sd' ')
  case $verdict in
    killed*) line="killed    $name: $killers" ;;
    *) line="$verdict $name (log: $log)"; survivors=$((survivors + 1)) ;;
  esac
  line="$line [$((SECONDS - t0)) s]"
  echo "$line"
  results+=("$line")
done
# Rebuild the restored files so the next run starts from the unmutated tree.
cmake --build "$build" -j"$jobs" --target $(targets_for "$all_labels") >/dev/null 2>&1 || true

echo "== ${#names[@]} mutants, $((${#names[@]} - survivors)) killed, $survivors not killed," \
  "$((SECONDS - start)) s"
[ "$survivors" -eq 0 ]
