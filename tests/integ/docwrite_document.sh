# write_document: pandoc, run in the real sandbox, turns Markdown into .docx
# (LibreOffice reads its headings, list and table back), .pptx, .html and,
# with reference_doc, takes a template's styles; a .pdf without a PDF engine,
# a path outside the grants, an unknown extension, and a machine without
# pandoc (DH_PANDOC naming nothing) are clear tool errors that write nothing.
. "$DH_TESTS/lib.sh"
bwrap_or_skip
command -v pandoc >/dev/null || skip "pandoc not installed (apt-get install --no-install-recommends pandoc)"
. "$DH_TESTS/lib_docs.sh"
G=$T/work; mkdir -p "$G/brand"
# A template whose Heading 1 uses a font no real document has.
pandoc -o "$T/ref.docx" --print-default-data-file reference.docx
python3 - "$T/ref.docx" "$G/brand/template.docx" <<'PY'
import sys, zipfile
src, dst = sys.argv[1:]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
    for item in zi.infolist():
        data = zi.read(item.filename)
        if item.filename == "word/styles.xml":
            s = data.decode()
            i = s.index('w:styleId="Heading1"')
            j = s.index("<w:rPr>", i) + len("<w:rPr>")
            s = s[:j] + '<w:rFonts w:ascii="DeskhandTestFont" w:hAnsi="DeskhandTestFont"/>' + s[j:]
            data = s.encode()
        zo.writestr(item, data)
PY
MD='# Quarterly report\n\nSpend rose **12%** this quarter.\n\n- print\n- software\n\n| Vendor | Amount |\n|---|---:|\n| ACME | 196.50 |\n| Figma | 45.00 |\n\n# Next steps\n\nAsk Sam for the invoice.\n'
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write the documents"}]}}]},
 {"tool_calls": [
   {"name": "write_document", "input": {"path": "out/report.docx", "markdown": "$MD"}},
   {"name": "write_document", "input": {"path": "out/branded.docx", "markdown": "$MD", "reference_doc": "brand/template.docx"}},
   {"name": "write_document", "input": {"path": "out/slides.pptx", "markdown": "$MD"}},
   {"name": "write_document", "input": {"path": "out/report.html", "markdown": "$MD"}},
   {"name": "write_document", "input": {"path": "out/report.pdf", "markdown": "$MD"}},
   {"name": "write_document", "input": {"path": "out/report.rtf", "markdown": "$MD"}},
   {"name": "write_document", "input": {"path": "/etc/report.docx", "markdown": "$MD"}},
   {"name": "write_document", "input": {"path": "out/x.html", "markdown": "x", "reference_doc": "brand/template.docx"}}
 ]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write them" > "$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
outs=$(jq -r 'select(.type=="tool_result" and .name=="write_document") | .output | gsub("\n"; " ")' "$T/out")
line() { sed -n "$1p" <<<"$outs"; }
assert_contains "$(line 1)" "created out/report.docx ("
assert_contains "$(line 2)" "created out/branded.docx ("
assert_contains "$(line 3)" "created out/slides.pptx ("
assert_contains "$(line 4)" "created out/report.html ("
if [ -z "$(for e in pdflatex xelatex lualatex tectonic wkhtmltopdf weasyprint prince context pdfroff; do command -v $e; done)" ]; then
  assert_contains "$(line 5)" "write_document: out/report.pdf: pandoc needs a PDF engine"
  assert_contains "$(line 5)" "apt-get install --no-install-recommends texlive-latex-recommended"
  [ ! -e "$G/out/report.pdf" ] || fail "report.pdf written without an engine"
fi
assert_contains "$(line 6)" "write_document: out/report.rtf: the path must end in .docx, .odt, .pptx, .html or .pdf"
assert_contains "$(line 7)" "outside the granted folders"
assert_contains "$(line 8)" "write_document: reference_doc styles .docx, .odt and .pptx only, not out/x.html"
[ ! -e "$G/out/report.rtf" ] && [ ! -e "$G/out/x.html" ] || fail "a refused call wrote a file"
# The .docx as LibreOffice reads it: headings, the list, the table, in order.
LO=$T/lo
soffice_convert "txt:Text (encoded):UTF8" "$LO" "$G/out/report.docx"
txt=$(tr -d '\r' < "$LO/report.txt")
for want in "Quarterly report" "Spend rose 12% this quarter." "print" "software" "ACME" "196.50" "Next steps" "Ask Sam for the invoice."; do
  assert_contains "$txt" "$want"
done
# The template's Heading 1 font is in the branded document's styles, not the plain one's.
styles() { python3 -c 'import sys,zipfile; print(zipfile.ZipFile(sys.argv[1]).read("word/styles.xml").decode())' "$1"; }
assert_contains "$(styles "$G/out/branded.docx")" "DeskhandTestFont"
assert_not_contains "$(styles "$G/out/report.docx")" "DeskhandTestFont"
# Two slides, one per heading; a standalone page.
slides=$(python3 -c 'import sys,zipfile; print(sorted(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith("ppt/slides/slide")))' "$G/out/slides.pptx")
assert_contains "$slides" "ppt/slides/slide2.xml"
html=$(cat "$G/out/report.html")
assert_contains "$html" "<title>report.html</title>"
assert_contains "$html" "Quarterly report</h1>"
assert_contains "$html" "<td>ACME</td>"
# Checkpointed like any write.
assert_contains "$("$DESKHAND" log 2>&1)" "out/report.docx"

# Without pandoc: a clear error saying how to install it; nothing written.
cat > "$T/script2.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_document", "input": {"path": "none.docx", "markdown": "# x"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
start_fake "$T/script2.json"
DH_PANDOC=$T/no-such-pandoc "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write" > "$T/out2" 2>"$T/err" || { cat "$T/err"; fail "run 2 failed"; }
out=$(jq -r 'select(.type=="tool_result" and .name=="write_document") | .output' "$T/out2")
assert_contains "$out" "write_document: pandoc is not installed, so none.docx cannot be written; the person can install it: apt-get install --no-install-recommends pandoc"
[ ! -e "$G/none.docx" ] || fail "none.docx written without pandoc"
# doctor reports pandoc either way.
assert_contains "$("$DESKHAND" doctor 2>&1)" "pandoc 2."
assert_contains "$(DH_PANDOC=$T/no-such-pandoc "$DESKHAND" doctor 2>&1)" "pandoc: not installed"
echo ok
