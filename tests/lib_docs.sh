# Documents made by another program for the document tests: LibreOffice
# converts text sources (CSV, flat ODF XML) with soffice --headless, in its
# own profile under the test directory ($T/lo), never our code.
command -v soffice >/dev/null ||
  skip "soffice not installed (apt-get install --no-install-recommends libreoffice-calc libreoffice-writer libreoffice-impress)"

# soffice_convert FORMAT OUTDIR SOURCE…: one soffice run for all SOURCEs.
# LIBREOFFICE_PROFILE (default $T/lo) is its profile: one soffice process at
# a time per profile.
soffice_convert() {
  local fmt=$1 out=$2 lo=${LIBREOFFICE_PROFILE:-$T/lo}; shift 2
  mkdir -p "$lo" "$out"
  HOME=$lo timeout 300 soffice --headless -env:UserInstallation=file://$lo/profile \
    --convert-to "$fmt" --outdir "$out" "$@" >"$lo/log" 2>&1 || { cat "$lo/log"; fail "soffice failed"; }
  for s in "$@"; do
    local b=${s##*/}
    [ -s "$out/${b%.*}.${fmt%%:*}" ] || { cat "$lo/log"; fail "soffice made no $out/${b%.*}.${fmt%%:*}"; }
  done
}

# soffice_start FORMAT OUTDIR SOURCE…: soffice_convert in the background, in
# a profile of its own, so that conversions run side by side (each soffice
# takes seconds, most of it starting up); soffice_wait waits for all of them
# and fails if one failed (its log is printed above).
SOFFICE_PIDS=()
soffice_start() {
  LIBREOFFICE_PROFILE=$T/lo.${#SOFFICE_PIDS[@]} soffice_convert "$@" &
  SOFFICE_PIDS+=($!)
}
soffice_wait() {
  local pid bad=0
  for pid in "${SOFFICE_PIDS[@]}"; do wait "$pid" || bad=1; done
  SOFFICE_PIDS=()
  [ "$bad" = 0 ] || fail "a document conversion failed (above)"
}
