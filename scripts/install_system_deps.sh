#!/usr/bin/env bash
# System packages the project needs, installed once when missing:
#   fonts-wqy-microhei          a CJK font, so charts draw Chinese labels (not empty boxes)
#   antiword                    text of old binary .doc files (fallback reader)
#   libreoffice-writer-nogui    converts .doc to .docx headless (keeps tables); also used by tests
#   libreoffice-calc-nogui      .xls/.xlsx conversions in tests
#   chromium                    headless browser for the site's browser test (tests/test_site.py;
#                               Playwright drives this Debian build, it downloads no browser)
#   bubblewrap                  runs those converters of untrusted files without network, with a
#                               read-only file system but their own folder (docs/security.md)
set -u
need=()
fc-list 2>/dev/null | grep -qiE "wenquanyi|noto sans cjk|noto serif cjk" || need+=(fonts-wqy-microhei fontconfig)
command -v antiword >/dev/null 2>&1 || need+=(antiword)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing system packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "warning: not root and no sudo; install these yourself: ${need[*]}" >&2; exit 0; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null || echo "warning: apt-get update failed" >&2
if ! $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; then
  echo "warning: could not install ${need[*]}; charts may lack Chinese glyphs, .doc files cannot be read" \
       "or are converted with less confinement (docs/security.md)" >&2
  exit 0
fi
command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1
rm -rf "${MPLCONFIGDIR:-$HOME/.cache/matplotlib}" 2>/dev/null   # matplotlib rebuilds its font list
exit 0
