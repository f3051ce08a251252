#!/usr/bin/env bash
# Renders the kustomizations of the project with kubectl's built-in kustomize and fails on any
# error: the base deploy/, the overlay overlays/high-availability, and a temporary kustomization
# that adds the components under deploy/components to the base. A few lines of each rendering are
# checked too, so that a patch or a component that silently stopped applying fails as well.
# Usage: hack/check-manifests.sh KUBECTL
set -euo pipefail
kubectl=${1:?usage: hack/check-manifests.sh KUBECTL}
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# render NAME DIR: writes the rendering of DIR to $work/NAME.yaml.
render() {
  echo "kubectl kustomize $2"
  "$kubectl" kustomize "$2" >"$work/$1.yaml"
}

# expect NAME PATTERN: fails unless a line of $work/NAME.yaml matches the extended regex PATTERN.
expect() {
  if ! grep -Eq -e "$2" "$work/$1.yaml"; then
    echo "the rendering of $1 has no line matching: $2"
    failed=1
  fi
}

render base deploy
expect base '^kind: Deployment$'
expect base '^  replicas: 2$'
expect base '^kind: NetworkPolicy$'
expect base 'mesh.datapunk.io/metrics-scraper: "true"'
expect base '^  - name: metrics$'

render high-availability overlays/high-availability
expect high-availability '^  replicas: 3$'
expect high-availability '^  minAvailable: 2$'
expect high-availability 'topologyKey: topology.kubernetes.io/zone'
expect high-availability 'whenUnsatisfiable: ScheduleAnyway'

# A kustomization refers to other kustomizations by relative path only.
mkdir "$work/components"
root=$(realpath --relative-to="$work/components" .)
cat >"$work/components/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $root/deploy
components:
  - $root/deploy/components/service-monitor
  - $root/deploy/components/prometheus-rule
YAML
render components "$work/components"
expect components '^kind: ServiceMonitor$'
expect components '^kind: PrometheusRule$'
expect components '- alert: MetadataIndexStale$'
expect components '- alert: MetadataNoLeader$'
expect components '- alert: MetadataReconcileErrors$'
expect components '- alert: MetadataWatchRestartsHigh$'
expect components '- alert: MetadataNotReady$'
expect components '- alert: MetadataInvalidObjects$'
expect components '^    port: metrics$'

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "every kustomization renders"
