#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kubectl and etcd from the Go modules pinned in
# hack/controlplane into the folder named by the first argument, which the Makefile keys by the
# pinned versions. Binaries already there are kept, so a second run does nothing.
set -euo pipefail

out=$1
here=$(cd "$(dirname "$0")" && pwd)
binaries=(kube-apiserver kube-controller-manager kubectl etcd)

complete() {
  local name
  for name in "${binaries[@]}"; do
    [ -x "$out/$name" ] || return 1
  done
}

if complete; then
  echo "control plane binaries are up to date in $out"
  exit 0
fi

kube_version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$here/controlplane/go.mod")
etcd_version=$(awk '$1 == "require" && $2 == "go.etcd.io/etcd/server/v3" { print $3 }' \
  "$here/controlplane/etcd/go.mod")
echo "building kube-apiserver, kube-controller-manager and kubectl $kube_version and etcd $etcd_version"
echo "into $out; a cold build takes 10 to 20 minutes on 2 cores"

# Build into a scratch folder beside the target and move it into place at the end, so that an
# interrupted build never leaves a folder that looks complete.
mkdir -p "$(dirname "$out")"
scratch=$(mktemp -d "$out.partial.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# Without these the binaries report version v0.0.0, and kubectl warns about version skew.
minor=$(echo "$kube_version" | cut -d. -f2)
ldflags="-s -w"
for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $package.gitVersion=$kube_version -X $package.gitMajor=1"
  ldflags+=" -X $package.gitMinor=$minor -X $package.gitTreeState=clean"
done

echo "building kube-apiserver, kube-controller-manager, kubectl"
(cd "$here/controlplane" && go build -trimpath -ldflags "$ldflags" -o "$scratch/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kubectl)

echo "building etcd"
(cd "$here/controlplane/etcd" && go build -trimpath -ldflags "-s -w" -o "$scratch/etcd" \
  go.etcd.io/etcd/server/v3)

rm -rf "$out"
mv "$scratch" "$out"
trap - EXIT
echo "control plane binaries are ready in $out"
