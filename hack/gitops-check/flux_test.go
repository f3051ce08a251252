package gitopscheck

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
)

// kstatus is a status of sigs.k8s.io/cli-utils' kstatus, which Flux reports for each object.
type kstatus string

const (
	statusCurrent    kstatus = "Current"
	statusInProgress kstatus = "InProgress"
	statusFailed     kstatus = "Failed"
	statusUnknown    kstatus = "Unknown"
)

// The kstatus that Flux reports for each Argo CD health status when both checks agree.
var fluxStatusFor = map[string]kstatus{
	"Healthy":     statusCurrent,
	"Progressing": statusInProgress,
	"Degraded":    statusFailed,
}

// healthCheckExprs is one entry of a Flux Kustomization's spec.healthCheckExprs.
type healthCheckExprs struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	InProgress string `json:"inProgress,omitempty"`
	Failed     string `json:"failed,omitempty"`
	Current    string `json:"current"`
}

// fluxKustomization holds the fields of the sample Flux Kustomization that the tests read.
type fluxKustomization struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		Interval         string             `json:"interval"`
		Path             string             `json:"path"`
		Prune            bool               `json:"prune"`
		SourceRef        map[string]string  `json:"sourceRef"`
		Timeout          string             `json:"timeout"`
		Wait             bool               `json:"wait"`
		HealthCheckExprs []healthCheckExprs `json:"healthCheckExprs"`
	} `json:"spec"`
}

// statusEvaluator evaluates the health check expressions of one kind the way Flux's
// runtime/cel.StatusEvaluator does (github.com/fluxcd/pkg/runtime/cel, 2025).
type statusEvaluator struct {
	inProgress, failed, current *fluxExpression
}

type fluxExpression struct {
	source  string
	program cel.Program
}

// newFluxExpression parses an expression with the environment of Flux's cel.NewExpression
// without its compile option: no variable is declared, so every identifier resolves at
// evaluation time against the object's top-level fields.
func newFluxExpression(source string) (*fluxExpression, error) {
	env, err := cel.NewEnv(
		cel.HomogeneousAggregateLiterals(),
		cel.EagerlyValidateDeclarations(true),
		cel.DefaultUTCTimeZone(true),
		cel.CrossTypeNumericComparisons(true),
		cel.OptionalTypes(),
		ext.Strings(),
		ext.Sets(),
		ext.Encoders(),
	)
	if err != nil {
		return nil, fmt.Errorf("failed to create the CEL environment: %w", err)
	}

	ast, issues := env.Parse(source)
	if issues != nil && issues.Err() != nil {
		return nil, fmt.Errorf("failed to parse the CEL expression %q: %w", source, issues.Err())
	}
	program, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.InterruptCheckFrequency(100))
	if err != nil {
		return nil, fmt.Errorf("failed to create the CEL program for %q: %w", source, err)
	}
	return &fluxExpression{source: source, program: program}, nil
}

func (e *fluxExpression) evaluate(ctx context.Context, object map[string]any) (bool, error) {
	value, _, err := e.program.ContextEval(ctx, object)
	if err != nil {
		return false, fmt.Errorf("failed to evaluate the CEL expression %q: %w", e.source, err)
	}
	result, ok := value.(types.Bool)
	if !ok {
		return false, fmt.Errorf("the CEL expression %q returned a %s, want a bool", e.source, value.Type())
	}
	return bool(result), nil
}

func newStatusEvaluator(exprs healthCheckExprs) (*statusEvaluator, error) {
	if exprs.Current == "" {
		return nil, errors.New("the current expression is missing")
	}

	var evaluator statusEvaluator
	for _, field := range []struct {
		source string
		target **fluxExpression
	}{
		{exprs.InProgress, &evaluator.inProgress},
		{exprs.Failed, &evaluator.failed},
		{exprs.Current, &evaluator.current},
	} {
		if field.source == "" {
			continue
		}
		expression, err := newFluxExpression(field.source)
		if err != nil {
			return nil, err
		}
		*field.target = expression
	}
	return &evaluator, nil
}

// evaluate returns the kstatus of an object. With checkGeneration, it first reports an object
// whose status.observedGeneration exists and differs from metadata.generation as InProgress, as
// Flux does; without it, only the expressions decide. The expressions run in Flux's order
// inProgress, failed, current, and the first one that is true decides; when none is, the object
// is InProgress. An evaluation error makes kstatus report Unknown, and Flux polls again.
func (s *statusEvaluator) evaluate(object map[string]any, checkGeneration bool) (kstatus, error) {
	if checkGeneration && generationLags(object) {
		return statusInProgress, nil
	}

	for _, step := range []struct {
		expression *fluxExpression
		status     kstatus
	}{
		{s.inProgress, statusInProgress},
		{s.failed, statusFailed},
		{s.current, statusCurrent},
	} {
		if step.expression == nil {
			continue
		}
		matched, err := step.expression.evaluate(context.Background(), object)
		if err != nil {
			return statusUnknown, err
		}
		if matched {
			return step.status, nil
		}
	}
	return statusInProgress, nil
}

// generationLags reports whether both status.observedGeneration and metadata.generation exist
// and differ, which is the check that Flux makes before the expressions.
func generationLags(object map[string]any) bool {
	status, _ := object["status"].(map[string]any)
	observed, ok := status["observedGeneration"].(int64)
	if !ok {
		return false
	}
	metadata, _ := object["metadata"].(map[string]any)
	generation, ok := metadata["generation"].(int64)
	return ok && generation != observed
}

func readFluxKustomization(t *testing.T) fluxKustomization {
	t.Helper()

	var kustomization fluxKustomization
	readYAML(t, fluxKustomizationPath, &kustomization)
	return kustomization
}

// loadEvaluators returns a status evaluator for each apiVersion and kind of the sample
// Kustomization's healthCheckExprs.
func loadEvaluators(t *testing.T) map[string]*statusEvaluator {
	t.Helper()

	evaluators := map[string]*statusEvaluator{}
	for _, exprs := range readFluxKustomization(t).Spec.HealthCheckExprs {
		evaluator, err := newStatusEvaluator(exprs)
		if err != nil {
			t.Fatalf("%s %s: %v", exprs.APIVersion, exprs.Kind, err)
		}
		evaluators[exprs.APIVersion+" "+exprs.Kind] = evaluator
	}
	return evaluators
}

func TestFluxKustomization(t *testing.T) {
	kustomization := readFluxKustomization(t)

	if kustomization.APIVersion != "kustomize.toolkit.fluxcd.io/v1" {
		t.Errorf("apiVersion = %q, want kustomize.toolkit.fluxcd.io/v1", kustomization.APIVersion)
	}
	if kustomization.Kind != "Kustomization" {
		t.Errorf("kind = %q, want Kustomization", kustomization.Kind)
	}
	if !kustomization.Spec.Wait {
		t.Error("spec.wait is false, so Flux would run no health check")
	}

	exprs := kustomization.Spec.HealthCheckExprs
	if len(exprs) != len(checkedKinds) {
		t.Fatalf("spec.healthCheckExprs has %d entries, want %d", len(exprs), len(checkedKinds))
	}
	for i, kind := range checkedKinds {
		if exprs[i].APIVersion != "mesh.datapunk.io/v1alpha1" || exprs[i].Kind != kind {
			t.Errorf("entry %d is %s %s, want mesh.datapunk.io/v1alpha1 %s",
				i, exprs[i].APIVersion, exprs[i].Kind, kind)
		}
		if exprs[i].InProgress == "" || exprs[i].Failed == "" || exprs[i].Current == "" {
			t.Errorf("entry %d (%s) lacks one of inProgress, failed and current", i, kind)
		}
		sameAsFirst := exprs[i].InProgress == exprs[0].InProgress &&
			exprs[i].Failed == exprs[0].Failed && exprs[i].Current == exprs[0].Current
		if !sameAsFirst {
			t.Errorf("entry %d (%s) has other expressions than entry 0", i, kind)
		}
	}
}

func TestFluxHealthCheckExprsAgreeWithArgoCD(t *testing.T) {
	evaluators := loadEvaluators(t)

	for _, s := range loadSamples(t) {
		t.Run(s.name, func(t *testing.T) {
			key := fmt.Sprintf("%v %v", s.object["apiVersion"], s.object["kind"])
			evaluator, ok := evaluators[key]
			if !ok {
				t.Fatalf("spec.healthCheckExprs has no entry for %s", key)
			}
			want, ok := fluxStatusFor[s.expected.Status]
			if !ok {
				t.Fatalf("no kstatus corresponds to the Argo CD status %q", s.expected.Status)
			}

			for _, checkGeneration := range []bool{true, false} {
				got, err := evaluator.evaluate(s.object, checkGeneration)

				if _, hasStatus := s.object["status"]; !hasStatus {
					assertUnknownWithoutStatus(t, s.expected, got, err)
					continue
				}
				if err != nil {
					t.Fatalf("generation check %t: %v", checkGeneration, err)
				}
				if got != want {
					t.Errorf("generation check %t: kstatus = %s, want %s (Argo CD: %s)",
						checkGeneration, got, want, s.expected.Status)
				}
			}
		})
	}
}

// assertUnknownWithoutStatus checks the result for an object without a top-level status. Flux
// cannot guard that case, because has(status) is an error when the field is absent, so the
// evaluation fails, kstatus reports Unknown and Flux polls again: like Progressing, the object
// is neither ready nor failed.
func assertUnknownWithoutStatus(t *testing.T, argoCD healthStatus, got kstatus, err error) {
	t.Helper()

	if argoCD.Status != "Progressing" {
		t.Errorf("Argo CD status = %s, want Progressing for an object without status", argoCD.Status)
	}
	if got != statusUnknown {
		t.Errorf("kstatus = %s, want Unknown for an object without status", got)
	}
	if err == nil || !strings.Contains(err.Error(), "status") {
		t.Errorf("error = %v, want one that names the missing status", err)
	}
}

func TestFluxStatusEvaluatorOrder(t *testing.T) {
	object := map[string]any{"data": map[string]any{}}
	ordered := func(inProgress, failed, current string) healthCheckExprs {
		return healthCheckExprs{InProgress: inProgress, Failed: failed, Current: current}
	}
	for _, tc := range []struct {
		name  string
		exprs healthCheckExprs
		want  kstatus
	}{
		{"inProgress before failed", ordered("true", "true", "true"), statusInProgress},
		{"failed before current", ordered("false", "true", "true"), statusFailed},
		{"current alone", ordered("false", "false", "true"), statusCurrent},
		{"none true", ordered("false", "false", "false"), statusInProgress},
		{"optional expressions absent", healthCheckExprs{Current: "true"}, statusCurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evaluator, err := newStatusEvaluator(tc.exprs)
			if err != nil {
				t.Fatal(err)
			}

			got, err := evaluator.evaluate(object, true)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("kstatus = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestFluxExpressionsSeeTopLevelFieldsOnly(t *testing.T) {
	object := map[string]any{"status": map[string]any{"observedGeneration": int64(1)}}
	for _, tc := range []struct {
		source string
		want   bool
		err    bool
	}{
		{source: "status.observedGeneration == 1", want: true},
		{source: "has(status.conditions)", want: false},
		{source: "self.status.observedGeneration == 1", err: true},
		{source: "has(metadata.generation)", err: true},
	} {
		t.Run(tc.source, func(t *testing.T) {
			expression, err := newFluxExpression(tc.source)
			if err != nil {
				t.Fatal(err)
			}

			got, err := expression.evaluate(context.Background(), object)
			if tc.err {
				if err == nil {
					t.Errorf("got %t and no error, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %t, want %t", got, tc.want)
			}
		})
	}
}
