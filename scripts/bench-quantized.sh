#!/usr/bin/env bash
# Issue 11's table: each quantized type against llama.cpp on the same file, 2 threads, same run; run on a quiet machine.
# Makes the files first if missing (random weights of a real shape, quantized by llama.cpp's quantizer).
# Usage: scripts/bench-quantized.sh [smollm2|llama1b|llama1b-4096]...  Output: stdout (see docs/results/quantized-*.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
C="dotnet src/CoKv.Cli/bin/Release/net10.0/cokv.dll"
B=artifacts/bench
mkdir -p "$B"
make_files() { # shape prefix
  [ -f "$B/$2-f32.gguf" ] || $C compare-llamacpp --write-random "$B/$2-f32.gguf" --shape "$1"
  for t in Q8_0 Q6_K Q4_K_M; do [ -f "$B/$2-$t.gguf" ] || $C quantize --model "$B/$2-f32.gguf" --type $t --out "$B/$2-$t.gguf"; done
}
sets=("$@"); [ ${#sets[@]} -gt 0 ] || sets=(smollm2 llama1b)
for set in "${sets[@]}"; do
  case $set in
    smollm2) make_files smollm2-135m smollm2
      # F32 first: its fidelity line is the floor that random weights set (near-tied logits), with no quantization.
      echo "== smollm2 f32 prompt 512"; $C compare-llamacpp --model $B/smollm2-f32.gguf --prompt-tokens 512 --decode-tokens 64 --repeats 2 --fidelity 256 2>/dev/null
      for t in Q8_0 Q6_K Q4_K_M; do
        echo "== smollm2 $t prompt 512"; $C compare-llamacpp --model $B/smollm2-$t.gguf --prompt-tokens 512 --decode-tokens 64 --repeats 2 --fidelity 256 2>/dev/null
        echo "== smollm2 $t prompt 4096"; $C compare-llamacpp --model $B/smollm2-$t.gguf --prompt-tokens 4096 --decode-tokens 64 --repeats 1 2>/dev/null
      done ;;
    llama1b) make_files llama3.2-1b llama1b
      for t in Q8_0 Q6_K Q4_K_M; do
        echo "== llama3.2-1b $t prompt 512"; $C compare-llamacpp --model $B/llama1b-$t.gguf --prompt-tokens 512 --decode-tokens 32 --repeats 1 --fidelity 64 2>/dev/null
      done ;;
    llama1b-4096) make_files llama3.2-1b llama1b
      for t in Q4_K_M Q8_0 Q6_K; do
        echo "== llama3.2-1b $t prompt 4096"; $C compare-llamacpp --model $B/llama1b-$t.gguf --prompt-tokens 4096 --decode-tokens 32 --repeats 1 2>/dev/null
      done ;;
  esac
done
