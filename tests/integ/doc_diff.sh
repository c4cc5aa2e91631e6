# A changed spreadsheet is reviewed cell by cell: two versions of an .xlsx
# made by LibreOffice, the second copied over the first after a session;
# the diff pane, `deskhand diff` and `deskhand review` show the cells that
# changed ("receipts!B3: 8.25 → 9.75"), with the byte sizes, and the file is
# still accepted or rejected whole.
# Several minutes on a loaded 2-core machine (LibreOffice, or a checkpoint of
# thousands of files under ASan): a longer limit than the default.
# test: timeout 900
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_docs.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
F=$DH_TESTS/fixtures/docs
soffice_start xlsx "$T/v1" "$F/receipts.csv"
soffice_start xlsx "$T/v2" "$F/v2/receipts.csv"
soffice_wait
G=$T/work; mkdir -p "$G"
cp "$T/v1/receipts.xlsx" "$G/receipts.xlsx"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "look" >"$T/run.out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
cp "$T/v2/receipts.xlsx" "$G/receipts.xlsx"
old_size=$(stat -c %s "$T/v1/receipts.xlsx"); new_size=$(stat -c %s "$T/v2/receipts.xlsx")

# deskhand diff (the baseline against the folder now): git's binary line,
# then the cells
d=$(cd "$G" && NO_COLOR=1 "$DESKHAND" diff)
assert_contains "$d" "Binary files a/receipts.xlsx and b/receipts.xlsx differ"
assert_contains "$d" "@@ cells @@"
assert_contains "$d" "~receipts!B3: 8.25 → 9.75"
assert_contains "$d" "~receipts!B4: 11.75 [=SUM(B2:B3)] → 13.25 [=SUM(B2:B3)]"
assert_contains "$d" "+receipts!A5: Tea"
assert_contains "$d" "+receipts!C5: 2026-01-07"
assert_not_contains "$d" "receipts!A2"

# the diff pane (the change is recorded when the session resumes)
steps ":wait idle
<Tab>
z
:wait text diff \\(1 file pending\\)
:wait text ^── receipts\\.xlsx
:wait idle
:save-screen $T/cells.scr
:quit"
UI_ENV="NO_COLOR=" ui_run 100 30 --resume latest
assert_screen cells "receipts\\.xlsx +binary, $old_size -> $new_size bytes" \
  "its cells compared; accept or reject the whole file" \
  '^cells changed' '^~ receipts!B3: 8\.25 → 9\.75$' '^\+ receipts!A5: Tea$'

# deskhand review: the sizes, the cells, per-file accept only
j=$(cd "$G" && "$DESKHAND" review --json)
f=$(jq -c '.grants[0].files[] | select(.path=="receipts.xlsx")' <<<"$j")
assert_eq "$(jq -r '[.binary, .textconv, .old_size, .new_size, .added, .removed] | join(" ")' <<<"$f")" \
  "true cells $old_size $new_size 5 2"
assert_contains "$(jq -r '.hunks[0].lines[]' <<<"$f")" "~receipts!B3: 8.25 → 9.75"
txt=$(cd "$G" && "$DESKHAND" review)
assert_contains "$txt" "M  receipts.xlsx  binary, $old_size -> $new_size bytes, cells compared"
assert_contains "$txt" "   ~receipts!B3: 8.25 → 9.75"
(cd "$G" && "$DESKHAND" reject-hunk receipts.xlsx 1) >/dev/null 2>"$T/e" && fail "reject-hunk on a spreadsheet"
assert_contains "$(cat "$T/e")" "binary"
# (a change made outside the agent: rejecting it overwrites it, so --force)
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"
(cd "$G" && "$DESKHAND" reject --force receipts.xlsx) >"$T/rej" 2>&1 || { cat "$T/rej"; fail "reject failed"; }
cmp -s "$G/receipts.xlsx" "$T/v1/receipts.xlsx" || fail "reject did not bring the first version back"
echo ok
