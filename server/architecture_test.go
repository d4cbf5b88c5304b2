package server_test

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
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

// storeTypes returns the exported type names the store package declares,
// except Store itself: what the JSON API may name of the store.
func storeTypes(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("store/*.go")
	require.NoError(t, err)
	types := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, spec := range g.Specs {
					if n := spec.(*ast.TypeSpec).Name.Name; ast.IsExported(n) && n != "Store" {
						types[n] = true
					}
				}
			}
		}
	}
	return types
}

// storeMisuses parses a Go file and returns each use of the store package
// that is not one of types (a function, a variable, or *store.Store), with
// its position, and how many uses it checked.
func storeMisuses(t *testing.T, name string, src any, types map[string]bool) (bad []string, checked int) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	require.NoError(t, err)
	local := ""
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path == module+"/server/store" {
			local = "store"
			if imp.Name != nil {
				local = imp.Name.Name
			}
		}
	}
	if local == "" {
		return nil, 0
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == local {
			checked++
			if !types[sel.Sel.Name] {
				bad = append(bad, fset.Position(sel.Pos()).String()+": "+local+"."+sel.Sel.Name)
			}
		}
		return true
	})
	return bad, checked
}

// TestAPIUsesStoreOnlyForTypes keeps the JSON handlers on the use cases:
// server/api may name the store's read models and filters (store.Page,
// store.Schedule, ...) but may not hold a *store.Store or call the store's
// functions, so every read and write goes through server/service.
func TestAPIUsesStoreOnlyForTypes(t *testing.T) {
	types := storeTypes(t)
	require.True(t, types["Page"] && !types["Store"], "the store's type list is wrong: %v", types)

	t.Run("the check finds a misuse", func(t *testing.T) {
		src := "package api\nimport st \"" + module + "/server/store\"\n" +
			"type API struct{ s *st.Store }\nfunc f(a *API) { _ = st.Page{}; st.Snapshot(nil) }\n"
		bad, checked := storeMisuses(t, "fake.go", src, types)
		assert.Equal(t, 3, checked)
		assert.Len(t, bad, 2, "want *st.Store and st.Snapshot reported: %v", bad)
	})

	files, err := filepath.Glob("api/*.go")
	require.NoError(t, err)
	total := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		bad, checked := storeMisuses(t, name, nil, types)
		total += checked
		for _, b := range bad {
			t.Errorf("%s: server/api uses the store beyond its types; add a use case to server/service", b)
		}
	}
	assert.Positive(t, total, "no use of the store's types in server/api: the check checks nothing")
}
