#!/usr/bin/env bash
# Fetches llama.cpp, the reference engine, through npm (the only way it is served here) into .cache/llama-cpp:
#   bin/    prebuilt libllama + ggml backends from @node-llama-cpp/linux-x64
#   vocab/  llama.cpp's tokenizer test vectors (ggml-vocab-*.gguf with .inp/.out), from the llama.cpp
#           source that node-llama-cpp ships as a git bundle
#   include/ the C headers matching those binaries
# Idempotent: does nothing once .cache/llama-cpp/.complete exists. The test projects build in parallel and each
# may call this at once, so one holds a lock while the others wait, and the result appears by one rename.
set -euo pipefail
VERSION=3.22.1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.cache/llama-cpp"
[ -f "$dest/.complete" ] && exit 0

mkdir -p "$root/.cache"
exec 9>"$root/.cache/llama-cpp.lock"
if command -v flock >/dev/null; then flock 9; fi
[ -f "$dest/.complete" ] && exit 0

command -v npm >/dev/null || { echo "fetch-llama-cpp: npm is required (apt-get install npm)" >&2; exit 1; }
command -v git >/dev/null || { echo "fetch-llama-cpp: git is required" >&2; exit 1; }

work="$(mktemp -d "$root/.cache/llama-cpp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@node-llama-cpp/linux-x64@$VERSION" >/dev/null
npm pack --silent "node-llama-cpp@$VERSION" >/dev/null

mkdir -p bins src
tar xzf "node-llama-cpp-linux-x64-$VERSION.tgz" -C bins
tar xzf "node-llama-cpp-$VERSION.tgz" -C src package/llama/gitRelease.bundle
git clone -q --no-checkout src/package/llama/gitRelease.bundle llama
git -C llama -c advice.detachedHead=false checkout -q FETCH_HEAD 2>/dev/null || git -C llama checkout -q HEAD -- .

final="$dest"
dest="$work/out"
mkdir -p "$dest/bin" "$dest/vocab" "$dest/include"
cp bins/package/bins/linux-x64/*.so "$dest/bin/"
for name in llama-spm llama-bpe qwen2 gpt-2 phi-3 deepseek-llm; do
  for ext in gguf gguf.inp gguf.out; do
    [ -f "llama/models/ggml-vocab-$name.$ext" ] && cp "llama/models/ggml-vocab-$name.$ext" "$dest/vocab/"
  done
done
cp llama/include/llama.h "$dest/include/"
cp llama/ggml/include/*.h "$dest/include/"
git -C llama rev-parse HEAD > "$dest/llama-cpp-commit.txt"
touch "$dest/.complete"
rm -rf "$final"
mv "$dest" "$final"
echo "fetch-llama-cpp: llama.cpp $VERSION (node-llama-cpp) in $final"
