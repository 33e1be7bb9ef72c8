#!/usr/bin/env bash
# Installs what yidi needs from Debian 12's packages, only what is missing. Run as root (or with sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libeigen3-dev libboost-dev libboost-random-dev librandom123-dev
  libhdf5-dev libtbb-dev libyaml-cpp-dev libcli11-dev libgtest-dev libgmock-dev
  libopenmpi-dev openmpi-bin zlib1g-dev libnlopt-cxx-dev
  python3 python3-h5py python3-pandas python3-matplotlib python3-nbclient python3-nbformat python3-ipykernel
  fonts-noto-cjk
  chromium
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
