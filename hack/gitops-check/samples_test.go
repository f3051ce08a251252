package gitopscheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"
)

const (
	argoCDDir             = "../../deploy/gitops/argocd"
	fluxKustomizationPath = "../../deploy/gitops/flux/flux-kustomization.yaml"
	minSamples            = 12
)

// The kinds that the health checks cover, all in the group mesh.datapunk.io.
var checkedKinds = []string{"ServiceMetadata", "MetadataQuery", "ClusterMetadataQuery"}

// healthStatus is the result of an Argo CD health check, shaped like Argo CD's
// health.HealthStatus.
type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// healthTestTable is the layout of an Argo CD health_test.yaml file.
type healthTestTable struct {
	Tests []struct {
		HealthStatus healthStatus `json:"healthStatus"`
		InputPath    string       `json:"inputPath"`
	} `json:"tests"`
}

// sample is one object of the test table with the Argo CD health status expected for it.
type sample struct {
	name     string
	object   map[string]any
	expected healthStatus
}

// loadSamples reads health_test.yaml and the object that each of its entries names.
func loadSamples(t *testing.T) []sample {
	t.Helper()

	var table healthTestTable
	readYAML(t, filepath.Join(argoCDDir, "health_test.yaml"), &table)

	samples := make([]sample, 0, len(table.Tests))
	for _, test := range table.Tests {
		samples = append(samples, sample{
			name:     test.InputPath,
			object:   readObject(t, filepath.Join(argoCDDir, test.InputPath)),
			expected: test.HealthStatus,
		})
	}
	return samples
}

// readYAML decodes a YAML file into out, rejecting fields that out does not declare.
func readYAML(t *testing.T, path string, out any) {
	t.Helper()

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("failed to read %s: %v", path, err)
	}
	if err := yaml.UnmarshalStrict(data, out); err != nil {
		t.Fatalf("failed to decode %s: %v", path, err)
	}
}

// readObject decodes a YAML manifest the way the API machinery decodes an unstructured object:
// integral numbers become int64 and other numbers float64.
func readObject(t *testing.T, path string) map[string]any {
	t.Helper()

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("failed to read %s: %v", path, err)
	}
	object, err := decodeObject(data)
	if err != nil {
		t.Fatalf("failed to decode %s: %v", path, err)
	}
	return object
}

func decodeObject(data []byte) (map[string]any, error) {
	jsonData, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, err
	}

	decoder := json.NewDecoder(bytes.NewReader(jsonData))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		return nil, err
	}
	object, ok := normalizeNumbers(value).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is a %T, not an object", value)
	}
	return object, nil
}

func normalizeNumbers(value any) any {
	switch typed := value.(type) {
	case json.Number:
		if integer, err := typed.Int64(); err == nil {
			return integer
		}
		float, _ := typed.Float64()
		return float
	case map[string]any:
		for key, item := range typed {
			typed[key] = normalizeNumbers(item)
		}
		return typed
	case []any:
		for i, item := range typed {
			typed[i] = normalizeNumbers(item)
		}
		return typed
	default:
		return value
	}
}

func TestSampleTable(t *testing.T) {
	samples := loadSamples(t)

	if len(samples) < minSamples {
		t.Errorf("health_test.yaml lists %d samples, want at least %d", len(samples), minSamples)
	}

	for _, kind := range checkedKinds {
		found := slices.ContainsFunc(samples, func(s sample) bool { return s.object["kind"] == kind })
		if !found {
			t.Errorf("health_test.yaml lists no %s sample", kind)
		}
	}

	for _, s := range samples {
		if s.object["apiVersion"] != "mesh.datapunk.io/v1alpha1" {
			t.Errorf("%s: apiVersion is %v, want mesh.datapunk.io/v1alpha1", s.name, s.object["apiVersion"])
		}
	}

	files, err := filepath.Glob(filepath.Join(argoCDDir, "testdata", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := filepath.ToSlash(filepath.Join("testdata", filepath.Base(file)))
		if !slices.ContainsFunc(samples, func(s sample) bool { return s.name == name }) {
			t.Errorf("%s is not listed in health_test.yaml", name)
		}
	}
}
