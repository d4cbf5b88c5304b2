package server_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/peakwise/peakwise"

// importRule forbids packages under From (the package itself and every
// package below it) from reaching any package under one of Not.
// Direct rules look at the package's own imports; the others at everything
// it depends on, so a forbidden package cannot be reached through a helper.
type importRule struct {
	From   string
	Not    []string
	Direct bool
	Why    string
}

// houseRules are the import rules drawn in docs/ARCHITECTURE.md.
var houseRules = []importRule{
	{From: module + "/forecasting", Not: []string{module + "/server", "gorm.io", "github.com/labstack/echo"}, Why: "the domain is pure"},
	{From: module + "/scheduling", Not: []string{module + "/server", "gorm.io", "github.com/labstack/echo"}, Why: "the domain is pure"},
	{From: module + "/qa", Not: []string{module + "/server", "gorm.io", "github.com/labstack/echo"}, Why: "the domain is pure"},
	{From: module + "/intraday", Not: []string{module + "/server", "gorm.io", "github.com/labstack/echo", "net/http"}, Why: "the domain is pure"},
	{From: module + "/server/service", Not: []string{module + "/server/api", module + "/server/web", module + "/server/httpx", "github.com/labstack/echo"},
		Why: "use cases are shared by the JSON API and the pages and know nothing of HTTP"},
	// Directly only: the job queue (River) reaches net/http through its
	// dependencies, but no use case may speak HTTP itself.
	{From: module + "/server/service", Not: []string{"net/http"}, Direct: true, Why: "use cases know nothing of HTTP"},
	{From: module + "/server/store", Not: []string{module + "/server/service", module + "/server/api", module + "/server/web", "github.com/labstack/echo"},
		Why: "the store is the innermost adapter"},
	{From: module + "/server/api", Not: []string{module + "/server/web"}, Direct: true, Why: "the API and the pages are siblings"},
	{From: module + "/server/web", Not: []string{module + "/server/api", module + "/server/store"}, Direct: true,
		Why: "the pages call use cases, never the store or the JSON handlers"},
}

// gormOwners are the only packages that may import GORM directly: the store,
// its test helper, and the migrations with their frozen table shapes.

var gormOwners = []string{module + "/server/store", module + "/migrations"}

func under(pkg, prefix string) bool { return pkg == prefix || strings.HasPrefix(pkg, prefix+"/") }

// goList returns, for every package of the module, its imports (direct) or
// its dependencies (deps).
func goList(t *testing.T, deps bool) map[string][]string {
	t.Helper()
	field := "{{.ImportPath}} {{join .Imports \" \"}}"
	if deps {
		field = "{{.ImportPath}} {{join .Deps \" \"}}"
	}
	cmd := exec.Command("go", "list", "-f", field, module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())
	pkgs := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 {
			pkgs[f[0]] = f[1:]
		}
	}
	require.NoError(t, sc.Err())
	return pkgs
}

// TestImportRules enforces the direction of imports described in
// docs/ARCHITECTURE.md with go list.
func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module; not in -short")
	}
	direct, deps := goList(t, false), goList(t, true)
	for _, r := range houseRules {
		graph := deps
		if r.Direct {
			graph = direct
		}
		matched := 0
		for pkg, imports := range graph {
			if !under(pkg, r.From) {
				continue
			}
			matched++
			for _, imp := range imports {
				for _, not := range r.Not {
					assert.False(t, under(imp, not), "%s imports %s: %s", pkg, imp, r.Why)
				}
			}
		}
		assert.Positive(t, matched, "no package under %s: the rule checks nothing", r.From)
	}
	for pkg, imports := range direct {
		owner := false
		for _, o := range gormOwners {
			owner = owner || under(pkg, o)
		}
		for _, imp := range imports {
			if under(imp, "gorm.io") {
				assert.True(t, owner, "%s imports %s: only the store and migrations use GORM", pkg, imp)
			}
		}
	}
}
