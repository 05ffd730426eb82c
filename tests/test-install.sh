#!/bin/sh
# test-install.sh — `meson install` puts everything where it belongs
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   test-install.sh BUILD_DIR
#       Installs BUILD_DIR (already built: --no-rebuild) into a temporary
#       DESTDIR, checks that every file a package needs is there, that the
#       installed gaiarouterd runs, and that the installed systemd unit
#       names it and passes `systemd-analyze verify` (when available).
#
#   test-install.sh --verify-unit UNIT_FILE GAIAROUTERD
#       Only `systemd-analyze verify` of UNIT_FILE, its ExecStart pointed
#       at GAIAROUTERD (the unit names the installed path, which a build
#       tree does not have).  Exit 77 (skipped) without systemd-analyze.
#
# Prints every problem found and exits 1 if there is any.

set -u

fail=0
problem () {
    echo "test-install: $*" >&2
    fail=1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gr-install-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# verify_unit UNIT EXEC: systemd-analyze verify, with warnings as errors
# (it reports unknown keys and bad values only as warnings).
verify_unit () {
    unit=$1
    exe=$2
    mkdir -p "$tmp/unit"
    # The file name is the unit name systemd checks against.
    sed "s|^ExecStart=[^ ]*/gaiarouterd|ExecStart=$exe|" "$unit" > "$tmp/unit/gaiarouterd.service"
    if ! grep -q "^ExecStart=$exe " "$tmp/unit/gaiarouterd.service"; then
        problem "$unit: no ExecStart=…/gaiarouterd line"
        return
    fi
    out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$tmp/unit/gaiarouterd.service" 2>&1)
    status=$?
    if [ $status -ne 0 ] || [ -n "$out" ]; then
        problem "systemd-analyze verify $unit (exit $status):"
        echo "$out" >&2
    fi
}

if [ "${1:-}" = "--verify-unit" ]; then
    [ $# -eq 3 ] || { echo "usage: $0 --verify-unit UNIT_FILE GAIAROUTERD" >&2; exit 2; }
    if ! command -v systemd-analyze >/dev/null 2>&1; then
        echo "test-install: systemd-analyze is not installed; skipping" >&2
        exit 77
    fi
    verify_unit "$2" "$3"
    exit $fail
fi

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR | --verify-unit UNIT_FILE GAIAROUTERD" >&2; exit 2; }
build=$1

if ! command -v meson >/dev/null 2>&1; then
    echo "test-install: meson is not in PATH; skipping" >&2
    exit 77
fi

# The options of this build: prefix, bindir, datadir, localedir, app.
options=$(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
opts = {o["name"]: o["value"] for o in json.load(sys.stdin)}
for name in ("prefix", "bindir", "datadir", "localedir", "app"):
    print("%s=%s" % (name, str(opts[name]).lower() if isinstance(opts[name], bool) else opts[name]))
') || { echo "test-install: cannot read the options of $build" >&2; exit 1; }
prefix=$(echo "$options" | sed -n 's/^prefix=//p')
bindir=$(echo "$options" | sed -n 's/^bindir=//p')
datadir=$(echo "$options" | sed -n 's/^datadir=//p')
localedir=$(echo "$options" | sed -n 's/^localedir=//p')
app=$(echo "$options" | sed -n 's/^app=//p')

# Directories relative to the prefix (meson allows absolute ones under it).
rel () {
    case "$1" in
        "$prefix"/*) echo "${1#"$prefix"/}" ;;
        /*) echo "$1" ;;
        *) echo "$1" ;;
    esac
}
bindir=$(rel "$bindir")
datadir=$(rel "$datadir")
localedir=$(rel "$localedir")

if ! meson install -C "$build" --no-rebuild --destdir "$tmp/root" > "$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    echo "test-install: meson install failed" >&2
    exit 1
fi

root="$tmp/root$prefix"
app_id=org.gaiarouter.GaiaRouter

expected="$bindir/gaiarouterd
$datadir/applications/$app_id.desktop
$datadir/metainfo/$app_id.metainfo.xml
$datadir/glib-2.0/schemas/$app_id.gschema.xml
$datadir/icons/hicolor/scalable/apps/$app_id.svg
$datadir/icons/hicolor/symbolic/apps/$app_id-symbolic.svg
$datadir/gaiarouter/models.json
$localedir/zh_CN/LC_MESSAGES/gaiarouter.mo
lib/systemd/system/gaiarouterd.service"
if [ "$app" = "true" ]; then
    expected="$bindir/gaiarouter
$expected"
fi

echo "$expected" | while read -r path; do
    if [ ! -s "$root/$path" ]; then
        echo "missing or empty: $prefix/$path"
    fi
done > "$tmp/missing"
if [ -s "$tmp/missing" ]; then
    sed 's/^/test-install: /' "$tmp/missing" >&2
    fail=1
fi

for exe in gaiarouterd gaiarouter; do
    if [ -f "$root/$bindir/$exe" ] && [ ! -x "$root/$bindir/$exe" ]; then
        problem "$prefix/$bindir/$exe is not executable"
    fi
done

# The installed daemon runs (no build-tree paths baked into it).
if [ -x "$root/$bindir/gaiarouterd" ]; then
    version=$(meson introspect "$build" --projectinfo | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
    out=$("$root/$bindir/gaiarouterd" --version 2>&1)
    if [ "$out" != "gaiarouterd $version" ]; then
        problem "gaiarouterd --version printed “$out”, expected “gaiarouterd $version”"
    fi
fi

# The installed unit starts the installed daemon, and is valid.
unit="$root/lib/systemd/system/gaiarouterd.service"
if [ -f "$unit" ]; then
    if ! grep -qx "ExecStart=$prefix/$bindir/gaiarouterd --config /etc/gaiarouter/gaiarouter.conf" "$unit"; then
        problem "the unit does not start $prefix/$bindir/gaiarouterd: $(grep '^ExecStart' "$unit")"
    fi
    if grep -q '@[a-z_]*@' "$unit"; then
        problem "the unit has unsubstituted variables: $(grep '@[a-z_]*@' "$unit")"
    fi
    if command -v systemd-analyze >/dev/null 2>&1; then
        verify_unit "$unit" "$root/$bindir/gaiarouterd"
    fi
fi

# The desktop file names a command that was installed.
desktop="$root/$datadir/applications/$app_id.desktop"
if [ "$app" = "true" ] && [ -f "$desktop" ]; then
    cmd=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop" | head -n 1)
    if [ ! -x "$root/$bindir/$(basename "$cmd")" ]; then
        problem "the desktop file runs “$cmd”, which is not installed in $prefix/$bindir"
    fi
fi

if [ $fail -eq 0 ]; then
    echo "test-install: $(echo "$expected" | wc -l) files in place under DESTDIR$prefix; gaiarouterd runs"
fi
exit $fail
