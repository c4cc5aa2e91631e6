# The models table of `deskhand models` sizes each column to its widest cell:
# a model name longer than 20 characters (claude-opus-4-20250514) no longer
# pushes the rest of its row out of line with the heading and the others.
. "$DH_TESTS/lib.sh"
"$DESKHAND" models >"$T/out" 2>"$T/err" || fail "models failed: $(cat "$T/err")"
sed -n '/^MODEL /,/^$/p' "$T/out" | sed '/^$/d' >"$T/table"
grep -q '^claude-opus-4-20250514 ' "$T/table" || fail "no claude-opus-4-20250514 row: $(cat "$T/table")"
# where each field ends (the numbers are aligned right) or starts (the rest)
cols() { # LINE: the start of PROVIDER and INPUT, the end of CONTEXT and $CACHE-W
  awk '{ n = split($0, c, ""); f = 0; inf = 0; s = ""
         for (i = 1; i <= n; i++) {
           if (c[i] != " " && !inf) { f++; inf = 1; st[f] = i }
           if (c[i] == " " && inf) { inf = 0; en[f] = i - 1 }
         }
         if (inf) en[f] = n
         print st[2], en[3], en[8], st[9], st[10] }' <<<"$1"
}
want=$(cols "$(head -1 "$T/table")")
n=0
while IFS= read -r line; do
  assert_eq "$(cols "$line")" "$want" "the columns of: $line"
  n=$((n + 1))
done < <(tail -n +2 "$T/table")
[ "$n" -ge 5 ] || fail "only $n models listed"
echo ok
