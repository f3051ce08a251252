package gitopscheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// luaTimeout is the time that Argo CD allows one health script (util/lua/lua.go, Argo CD 2.x/3.x).
const luaTimeout = time.Second

// validHealthCodes are the statuses that Argo CD accepts from a health script; it turns any
// other value into Unknown.
var validHealthCodes = map[string]bool{
	"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true,
	"Unknown": true,
}

// runHealthLua runs a health script as Argo CD runs one from argocd-cm: without Lua's standard
// libraries except package, base and table, with the object as the global table obj, and the
// script's returned table read as {status, message}. Argo CD also loads a reduced os library,
// which these scripts do not use.
func runHealthLua(script string, object map[string]any) (healthStatus, error) {
	state := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer state.Close()

	for _, library := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		call := lua.P{Fn: state.NewFunction(library.open), NRet: 0, Protect: true}
		if err := state.CallByParam(call, lua.LString(library.name)); err != nil {
			return healthStatus{}, fmt.Errorf("failed to open the Lua library %q: %w", library.name, err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), luaTimeout)
	defer cancel()
	state.SetContext(ctx)
	state.SetGlobal("obj", toLuaValue(state, object))
	if err := state.DoString(script); err != nil {
		return healthStatus{}, fmt.Errorf("failed to run the health script: %w", err)
	}

	returned, ok := state.Get(-1).(*lua.LTable)
	if !ok {
		return healthStatus{}, fmt.Errorf("the health script returned a %s, want a table", state.Get(-1).Type())
	}
	return toHealthStatus(returned)
}

// toLuaValue converts a decoded JSON value to Lua as Argo CD's decodeValue does: objects and
// lists become tables, numbers become Lua numbers and null becomes nil.
func toLuaValue(state *lua.LState, value any) lua.LValue {
	switch typed := value.(type) {
	case bool:
		return lua.LBool(typed)
	case string:
		return lua.LString(typed)
	case int64:
		return lua.LNumber(typed)
	case float64:
		return lua.LNumber(typed)
	case []any:
		list := state.CreateTable(len(typed), 0)
		for _, item := range typed {
			list.Append(toLuaValue(state, item))
		}
		return list
	case map[string]any:
		table := state.CreateTable(0, len(typed))
		for key, item := range typed {
			table.RawSetH(lua.LString(key), toLuaValue(state, item))
		}
		return table
	default:
		return lua.LNil
	}
}

// toHealthStatus reads the returned table as Argo CD does after encoding it as JSON: status and
// message must be strings, and a status outside validHealthCodes becomes Unknown.
func toHealthStatus(table *lua.LTable) (healthStatus, error) {
	var result healthStatus
	for field, target := range map[string]*string{"status": &result.Status, "message": &result.Message} {
		switch value := table.RawGetString(field).(type) {
		case lua.LString:
			*target = string(value)
		case *lua.LNilType:
		default:
			return healthStatus{}, fmt.Errorf("the returned %s is a %s, want a string", field, value.Type())
		}
	}

	if !validHealthCodes[result.Status] {
		return healthStatus{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
	}
	return result, nil
}

func readHealthScript(t *testing.T) string {
	t.Helper()

	script, err := os.ReadFile(filepath.Join(argoCDDir, "health.lua"))
	if err != nil {
		t.Fatalf("failed to read health.lua: %v", err)
	}
	return string(script)
}

func TestArgoCDHealthScript(t *testing.T) {
	script := readHealthScript(t)

	for _, s := range loadSamples(t) {
		t.Run(s.name, func(t *testing.T) {
			got, err := runHealthLua(script, s.object)
			if err != nil {
				t.Fatal(err)
			}

			if got.Status != s.expected.Status {
				t.Errorf("status = %q, want %q", got.Status, s.expected.Status)
			}
			if got.Message != s.expected.Message {
				t.Errorf("message = %q, want %q", got.Message, s.expected.Message)
			}
		})
	}
}

func TestArgoCDHealthScriptNeverHealthyWithoutCurrentStatus(t *testing.T) {
	script := readHealthScript(t)

	for _, s := range loadSamples(t) {
		if generationObserved(s.object) {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			got, err := runHealthLua(script, s.object)
			if err != nil {
				t.Fatal(err)
			}

			if got.Status != "Progressing" {
				t.Errorf("status = %q, want Progressing while the generation is not observed", got.Status)
			}
		})
	}
}

// generationObserved reports whether status.observedGeneration exists and equals
// metadata.generation, or metadata.generation is absent.
func generationObserved(object map[string]any) bool {
	status, ok := object["status"].(map[string]any)
	if !ok {
		return false
	}
	observed, ok := status["observedGeneration"]
	if !ok {
		return false
	}
	metadata, _ := object["metadata"].(map[string]any)
	generation, ok := metadata["generation"]
	return !ok || generation == observed
}

func TestRunHealthLuaRejectsInvalidScripts(t *testing.T) {
	object := map[string]any{"kind": "ServiceMetadata"}
	for _, tc := range []struct {
		name   string
		script string
		want   healthStatus
		err    bool
	}{
		{name: "string library absent", script: `return {status = string.upper("healthy")}`, err: true},
		{name: "non-table result", script: `return "Healthy"`, err: true},
		{name: "endless loop", script: `while true do end`, err: true},
		{
			name:   "unknown status",
			script: `return {status = "Fine", message = "x"}`,
			want:   healthStatus{Status: "Unknown", Message: "Lua returned an invalid health status"},
		},
		{
			name:   "obj is bound",
			script: `return {status = "Healthy", message = obj.kind}`,
			want:   healthStatus{Status: "Healthy", Message: "ServiceMetadata"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runHealthLua(tc.script, object)

			if tc.err {
				if err == nil {
					t.Errorf("got %+v and no error, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
