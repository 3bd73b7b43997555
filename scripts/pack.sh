#!/usr/bin/env bash
# Packs every library and the cokv .NET tool into a folder feed (default artifacts/packages):
#   bash scripts/pack.sh [FEED]
#   dotnet add package CoKv.SemanticKernel --source FEED       # in an application
#   dotnet tool install -g --add-source FEED cokv               # the command line
set -euo pipefail
cd "$(dirname "$0")/.."
feed="$(realpath -m "${1:-artifacts/packages}")"
dotnet pack CoKv.SemanticKernel.sln -c Release -o "$feed"
ls -l "$feed"
