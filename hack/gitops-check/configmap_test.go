package gitopscheck

import (
	"path/filepath"
	"testing"
)

// argoCDConfigMap holds the fields of argocd-cm-patch.yaml.
type argoCDConfigMap struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Data map[string]string `json:"data"`
}

func TestArgoCDConfigMapPatchHoldsHealthScript(t *testing.T) {
	script := readHealthScript(t)
	var configMap argoCDConfigMap
	readYAML(t, filepath.Join(argoCDDir, "argocd-cm-patch.yaml"), &configMap)

	if configMap.APIVersion != "v1" || configMap.Kind != "ConfigMap" {
		t.Errorf("the patch is a %s %s, want a v1 ConfigMap", configMap.APIVersion, configMap.Kind)
	}
	if configMap.Metadata.Name != "argocd-cm" {
		t.Errorf("metadata.name = %q, want argocd-cm", configMap.Metadata.Name)
	}
	if len(configMap.Data) != len(checkedKinds) {
		t.Errorf("data has %d keys, want %d", len(configMap.Data), len(checkedKinds))
	}

	for _, kind := range checkedKinds {
		key := "resource.customizations.health.mesh.datapunk.io_" + kind
		copied, ok := configMap.Data[key]
		if !ok {
			t.Errorf("data has no key %s", key)
			continue
		}
		if copied != script {
			t.Errorf("data[%s] differs from health.lua; copy the script again", key)
		}
	}
}
