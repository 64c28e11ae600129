#!/usr/bin/env bash
# Fetches Mesa's lavapipe (a software Vulkan driver) from Debian bookworm-backports into a local
# directory, without installing anything system-wide, and prints the environment that makes
# Dawn see it as a WebGPU adapter:
#
#   eval "$(bench/gpu/lavapipe.sh)"        # default directory: .cache/lavapipe
#   npx vitest run worker/test/backend/webgpu-training.test.ts
#
# Why backports: bookworm's own lavapipe (Mesa 22.3) is rejected by Dawn ("Vulkan
# shaderUniform*ArrayDynamicIndexing required"); Mesa 25 from bookworm-backports is accepted.
# Needs apt-get and dpkg-deb (Debian/Ubuntu, x86_64 or arm64) and deb.debian.org.
set -euo pipefail
dir="${1:-$(cd "$(dirname "$0")/../.." && pwd)/.cache/lavapipe}"
mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/debs" "$dir/root"
cat >"$dir/apt/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
SRC
apt_opts=(-o "Dir::Etc::SourceList=$dir/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache" -o Debug::NoLocking=1)
if [ ! -f "$dir/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" ] && [ ! -f "$dir/root/usr/lib/aarch64-linux-gnu/libvulkan_lvp.so" ]; then
  apt-get "${apt_opts[@]}" update -qq >&2
  (cd "$dir/debs" && apt-get "${apt_opts[@]}" download -qq mesa-vulkan-drivers/bookworm-backports libvulkan1 >&2 2>/dev/null) ||
    (cd "$dir/debs" && apt-get "${apt_opts[@]}" download mesa-vulkan-drivers/bookworm-backports libvulkan1 >&2)
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
fi
lib="$(dirname "$(find "$dir/root" -name libvulkan_lvp.so | head -n1)")"
# The manifest names the library by file name; point it at the extracted copy.
sed "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$lib/libvulkan_lvp.so\"#" "$dir/root/usr/share/vulkan/icd.d/lvp_icd.json" >"$dir/lvp_icd.json"
echo "export VK_ICD_FILENAMES='$dir/lvp_icd.json'"
echo "export LD_LIBRARY_PATH='$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}'"
