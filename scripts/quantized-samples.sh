#!/usr/bin/env bash
# Issue 11: the default model and stories260K, quantized by llama.cpp's quantizer (through `cokv quantize`), run
# through the samples and the SK connector unchanged. stories260K has FFN rows of 172, which llama.cpp cannot write
# as Q8_0 or Q4_0; its K-quant mixes fall back per tensor and load. Output: docs/results/quantized-samples.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/CoKv.Cli -c Release -v q -nologo >/dev/null
C="dotnet src/CoKv.Cli/bin/Release/net10.0/cokv.dll"
Q=artifacts/quantized
mkdir -p "$Q"
for t in Q8_0 Q4_K_M; do $C quantize --model models/cokv-default/cokv-default.gguf --type "$t" --out "$Q/cokv-default-$t.gguf"; done
$C quantize --model ../shared/models/stories260K.gguf --type Q4_K_M --out "$Q/stories260K-Q4_K_M.gguf"
$C quantize --model ../shared/models/stories260K.gguf --type Q6_K --out "$Q/stories260K-Q6_K.gguf"
for t in Q8_0 Q4_K_M; do
  echo "== samples/LongDocRag on cokv-default-$t.gguf"
  dotnet run --project samples/LongDocRag -- "$PWD/$Q/cokv-default-$t.gguf" | tail -12
  echo "== samples/CoKv.Sample (SK connector, streamed) on cokv-default-$t.gguf"
  dotnet run --project samples/CoKv.Sample -- "$PWD/$Q/cokv-default-$t.gguf" | grep -v "^info:\|Application is shutting\|^      " | tail -16
done
for t in Q4_K_M Q6_K; do
  echo "== samples/CoKv.Sample (SK connector, streamed) on stories260K-$t.gguf"
  dotnet run --project samples/CoKv.Sample -- "$PWD/$Q/stories260K-$t.gguf" | grep -v "^info:\|Application is shutting\|^      " | tail -16
done
