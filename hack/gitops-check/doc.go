// Package gitopscheck holds only tests: they run deploy/gitops/argocd/health.lua with gopher-lua
// as Argo CD does, evaluate the healthCheckExprs of deploy/gitops/flux/flux-kustomization.yaml with
// cel-go as Flux's kustomize-controller does, and check that both agree on every sample object
// listed in deploy/gitops/argocd/health_test.yaml.
package gitopscheck
