# Documents made by another program for the document tests: LibreOffice
# converts text sources (CSV, flat ODF XML) with soffice --headless, in its
# own profile under the test directory ($T/lo), never our code.
command -v soffice >/dev/null ||
  skip "soffice not installed (apt-get install --no-install-recommends libreoffice-calc libreoffice-writer libreoffice-impress)"

# soffice_profile DIR [ITEM…]: DIR becomes a new LibreOffice profile (for
# -env:UserInstallation=file://DIR) whose settings hold the ITEMs (<item>
# elements of registrymodifications.xcu) and say that this version of
# LibreOffice has run in it before. Without that, every start runs
# LibreOffice's graphics self-tests first (vcl's GraphicsRenderTests, run
# when the product version looks upgraded, and a headless run never records
# the version): a one-file conversion took 4.8-5.1 s of CPU here, and
# 1.0 s with the record. 99.9 is later than any release, so no version counts
# as an upgrade. The self-tests only write user/GraphicsRenderTests.log; no
# conversion depends on them.
soffice_profile() {
  local dir=$1; shift
  mkdir -p "$dir/user"
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    echo '<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" oor:op="fuse"><value>99.9</value></prop></item>'
    printf '%s\n' "$@"
    echo '</oor:items>'
  } >"$dir/user/registrymodifications.xcu"
}

# soffice_convert FORMAT OUTDIR SOURCE…: one soffice run for all SOURCEs.
# LIBREOFFICE_PROFILE (default $T/lo) is its profile: one soffice process at
# a time per profile; its profile/ is made by soffice_profile unless there.
soffice_convert() {
  local fmt=$1 out=$2 lo=${LIBREOFFICE_PROFILE:-$T/lo}; shift 2
  mkdir -p "$lo" "$out"
  [ -e "$lo/profile" ] || soffice_profile "$lo/profile"
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
