#!/usr/bin/env bash
# Builds pjproject and its pjsua2 Python binding with Callbox's config_site.h, as a
# wheel cached outside the work tree. Prints the wheel's path as the last line.
#
# Usage: build.sh PYTHON
#   PYTHON               interpreter the wheel is for; needs setuptools and wheel.
# Environment:
#   PJSUA2_CACHE         cache directory (default /var/cache/callbox/pjsua2)
#   PJPROJECT_TARBALL    a local pjproject tarball instead of Debian's
#   PJPROJECT_URL        an upstream release tarball URL instead of Debian's
#   PJPROJECT_SHA256     expected checksum of PJPROJECT_URL (optional)
#   DEBIAN_MIRROR        default http://deb.debian.org/debian
#   DEBIAN_SUITE         suite carrying the asterisk source package (default unstable)
#   JOBS                 parallel make jobs (default: number of cores)
set -euo pipefail

PYTHON=${1:?usage: build.sh PYTHON}
here=$(cd "$(dirname "$0")" && pwd)
cache=${PJSUA2_CACHE:-/var/cache/callbox/pjsua2}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${DEBIAN_SUITE:-unstable}
jobs=${JOBS:-$(nproc)}

log() { printf 'pjsua2: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }

mkdir -p "$cache/src"
exec 9>"$cache/.lock"
flock 9   # one build at a time; a second caller then finds the wheel cached

# --- the source tarball --------------------------------------------------------

# Debian's asterisk source package carries pjproject as a component tarball. A
# private apt configuration with one deb-src entry finds it, so the machine's
# own apt sources stay untouched. apt prints each file's SHA256 from the signed
# Sources index: that vouches for the .dsc, and the .dsc for the tarball.
debian_tarball() {
    local apt="$cache/apt"
    mkdir -p "$apt/lists/partial" "$apt/archives/partial"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
        >"$apt/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
                -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt" -o Debug::NoLocking=1)
    apt-get "${opts[@]}" -qq update >&2 || die "apt could not read $suite's source index"
    local uris
    uris=$(apt-get "${opts[@]}" --print-uris -qq source asterisk 2>/dev/null) \
        || die "no asterisk source package in $suite"
    local dsc_line url name size sum
    dsc_line=$(grep "\.dsc' " <<<"$uris") || die "asterisk has no .dsc in $suite"
    read -r url name size sum <<<"$dsc_line"
    url=${url//\'/}; sum=${sum#SHA256:}
    curl -fsSL -o "$cache/src/$name" "$url" || die "download failed: $url"
    [ "$(sha256 "$cache/src/$name")" = "$sum" ] || die "$name does not match the signed index"

    local tar_line tar_sum tar_name
    tar_line=$(sed -n '/^Checksums-Sha256:/,/^[A-Z]/p' "$cache/src/$name" \
               | grep 'orig-Xpjproject\.tar\.') || die "$name lists no pjproject component"
    read -r tar_sum _ tar_name <<<"$tar_line"
    if [ ! -f "$cache/src/$tar_name" ] || [ "$(sha256 "$cache/src/$tar_name")" != "$tar_sum" ]; then
        log "downloading $tar_name"
        curl -fsSL -o "$cache/src/$tar_name.part" "$(dirname "$url")/${tar_name//+/%2b}" \
            || die "download failed: $tar_name"
        mv "$cache/src/$tar_name.part" "$cache/src/$tar_name"
    fi
    [ "$(sha256 "$cache/src/$tar_name")" = "$tar_sum" ] || die "$tar_name does not match $name"
    echo "$cache/src/$tar_name"
}

url_tarball() {
    local name="$cache/src/url-$(printf '%s' "$PJPROJECT_URL" | sha256sum | cut -c1-16).tar"
    if [ ! -f "$name" ]; then
        curl -fsSL -o "$name.part" "$PJPROJECT_URL" || die "download failed: $PJPROJECT_URL"
        mv "$name.part" "$name"
    fi
    if [ -n "${PJPROJECT_SHA256:-}" ] && [ "$(sha256 "$name")" != "$PJPROJECT_SHA256" ]; then
        rm -f "$name"   # a bad download must not stay cached
        die "$PJPROJECT_URL does not match PJPROJECT_SHA256"
    fi
    echo "$name"
}

if [ -n "${PJPROJECT_TARBALL:-}" ]; then
    tarball=$(realpath "$PJPROJECT_TARBALL")
    [ -f "$tarball" ] || die "PJPROJECT_TARBALL $PJPROJECT_TARBALL is not a file"
elif [ -n "${PJPROJECT_URL:-}" ]; then
    tarball=$(url_tarball)
else
    tarball=$(debian_tarball)
fi

# --- the cache key ---------------------------------------------------------------

# Everything that changes the binary: the source, this recipe, the interpreter's
# ABI and the machine. A hit costs a checksum and no compiler.
py_tag=$("$PYTHON" -c 'import sys, sysconfig; print(f"cp{sys.version_info[0]}{sys.version_info[1]}-" + sysconfig.get_platform())')
key=$( { sha256 "$tarball"; cat "$here/config_site.h" "$here/build.sh"; echo "$py_tag $(uname -m)"; } \
       | sha256sum | cut -c1-16)
out="$cache/wheels/$key"
if compgen -G "$out/pjsua2-*.whl" >/dev/null; then
    log "cached build $key"
    ls "$out"/pjsua2-*.whl | head -n1
    exit 0
fi

# --- the build --------------------------------------------------------------------

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "building $(basename "$tarball") as $key in $work"
tar -xf "$tarball" -C "$work"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n1)
[ -f "$src/pjlib/include/pj/config.h" ] || die "$tarball does not hold pjproject"

# Debian removed the BDSound audio device (non-free SDK); the makefile still
# lists it. Its whole body sits behind PJMEDIA_AUDIO_DEV_HAS_BDIMAD, so an empty
# unit stands in for it.
dev="$src/pjmedia/src/pjmedia-audiodev/bdimad_dev.c"
[ -f "$dev" ] || echo '/* Stand-in for the BDSound device Debian removed; never enabled. */' >"$dev"
cp "$here/config_site.h" "$src/pjlib/include/pj/config_site.h"

cd "$src"
# Third-party code Debian stripped comes from Debian's own libraries instead;
# iLBC and G.722.1 are gone with it, and an appliance needs no sound, video or UPnP.
./configure -q --enable-epoll --disable-shared \
    --disable-sound --disable-video --disable-v4l2 --disable-sdl --disable-ffmpeg \
    --disable-openh264 --disable-vpx --disable-libyuv --disable-libwebrtc \
    --disable-libwebrtc-aec3 --disable-upnp --disable-bcg729 --disable-lyra \
    --disable-ilbc-codec --disable-g7221-codec \
    --with-external-gsm --with-external-speex --with-external-srtp --enable-speex-resample \
    CFLAGS="-O2 -fPIC -DNDEBUG -g0" CXXFLAGS="-O2 -fPIC -DNDEBUG -g0" \
    LIBS="-lspeexdsp" >&2
make -s -j"$jobs" lib >"$work/make.log" 2>&1 || { tail -n 40 "$work/make.log" >&2; die "pjproject build failed"; }

cd pjsip-apps/src/swig/python
make -s USE_PYTHON3=1 PYTHON_EXE="$PYTHON" pjsua2_wrap.cpp >"$work/swig.log" 2>&1 \
    || { tail -n 40 "$work/swig.log" >&2; die "SWIG could not wrap pjsua2"; }
MAKE="make" "$PYTHON" setup.py -q bdist_wheel -d "$work/dist" >"$work/wheel.log" 2>&1 \
    || { tail -n 40 "$work/wheel.log" >&2; die "pjsua2 binding build failed"; }

mkdir -p "$out"
cp "$work"/dist/pjsua2-*.whl "$out/"
log "built $(ls "$out")"
ls "$out"/pjsua2-*.whl | head -n1
