#!/usr/bin/env bash
# Runs deploy/gitops/argocd/health.lua over every entry of health_test.yaml with the reference
# Lua 5.1 interpreter (lua5.1), next to the gopher-lua run in hack/gitops-check. Lua has no YAML
# parser, so the samples are first written as Lua table literals into a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."

argocd=deploy/gitops/argocd
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

node hack/health-samples-to-lua.ts "$argocd/health_test.yaml" "$work/cases.lua"
lua5.1 hack/run-health-cases.lua "$argocd/health.lua" "$work/cases.lua"
