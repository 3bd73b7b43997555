#!/usr/bin/env bash
# The issue 10/11 benchmarks, one after another on a quiet machine (2 threads, same run as llama.cpp).
cd "$(dirname "$0")/.."
C="dotnet src/CoKv.Cli/bin/Release/net10.0/cokv.dll"
B=artifacts/bench  # files from: compare-llamacpp --write-random, quantize (docs/performance.md)
for f in f32 Q8_0 Q4_K_M Q6_K; do
  for n in 512 4096; do
    echo "== smollm2 $f prompt $n"; $C compare-llamacpp --model $B/smollm2-$f.gguf --prompt-tokens $n --decode-tokens 64 --repeats 2 2>/dev/null
  done
done
echo "== smollm2 f32 prompt 16384, ada B=128"; $C compare-llamacpp --model $B/smollm2-f32.gguf --prompt-tokens 16384 --decode-tokens 64 --repeats 1 --policy ada --budget 128 2>/dev/null
