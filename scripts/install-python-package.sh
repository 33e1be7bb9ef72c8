#!/usr/bin/env bash
# Makes the yidi Python package (python/yidi) importable by Debian's python3: a yidi.pth file in
# its site-packages naming this checkout's python/ folder. Writes only its own file: one that is
# there and was not written by this script is left alone (and said so).
set -euo pipefail
cd "$(dirname "$0")/.."
site=$(/usr/bin/python3 -c "import site; print(site.getsitepackages()[0])")
pth="$site/yidi.pth"
want="# yidi: the Python package of $(pwd) (scripts/install-python-package.sh)
$(pwd)/python"
if [ -e "$pth" ] && ! head -1 "$pth" | grep -q "^# yidi: "; then
  echo "install-python-package: $pth exists and is not ours; left alone (import yidi with PYTHONPATH=$(pwd)/python)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ] && [ ! -w "$site" ]; then SUDO="sudo"; fi
$SUDO mkdir -p "$site"
printf '%s\n' "$want" | $SUDO tee "$pth.tmp" >/dev/null
$SUDO mv "$pth.tmp" "$pth"
/usr/bin/python3 -c "import yidi, sys; sys.stdout.write('install-python-package: import yidi -> ' + yidi.__file__ + '\n')"
