# Documents made by another program for the document tests: LibreOffice
# converts text sources (CSV, flat ODF XML) with soffice --headless, in its
# own profile under the test directory ($T/lo), never our code.
command -v soffice >/dev/null ||
  skip "soffice not installed (apt-get install --no-install-recommends libreoffice-calc libreoffice-writer libreoffice-impress)"

# soffice_convert FORMAT OUTDIR SOURCE…: one soffice run for all SOURCEs.
soffice_convert() {
  local fmt=$1 out=$2 lo=$T/lo; shift 2
  mkdir -p "$lo" "$out"
  HOME=$lo timeout 300 soffice --headless -env:UserInstallation=file://$lo/profile \
    --convert-to "$fmt" --outdir "$out" "$@" >"$lo/log" 2>&1 || { cat "$lo/log"; fail "soffice failed"; }
  for s in "$@"; do
    local b=${s##*/}
    [ -s "$out/${b%.*}.${fmt%%:*}" ] || { cat "$lo/log"; fail "soffice made no $out/${b%.*}.${fmt%%:*}"; }
  done
}
