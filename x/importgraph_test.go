// Package x_test asserts the import graph between the chain's modules that
// docs/DESIGN.md draws ("Dependencies point one way"): a module imports another only
// through its types package, only along a drawn edge, never app/, cmd/ or sidecar/; the
// shared helpers in x/internal import no module.
package x_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const modulePath = "github.com/cortnet/cortd"

// designDoc is docs/DESIGN.md, relative to this directory.
var designDoc = filepath.Join("..", "docs", "DESIGN.md")

// pkg is what `go list -json` says of one package (test files excluded: tests may wire
// real keepers of several modules).
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// graph maps a module ("x/nodes") to the modules whose types it may import.
type graph map[string][]string

// parseGraph reads the fenced block between the module-graph markers: one line per
// module, "x/a -> x/b, x/c" (nothing after the arrow: no edges).
func parseGraph(r io.Reader) (graph, error) {
	g := graph{}
	in := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "<!-- module-graph: begin -->":
			in = true
			continue
		case line == "<!-- module-graph: end -->":
			if len(g) == 0 {
				return nil, fmt.Errorf("the module-graph block draws no module")
			}
			return g, nil
		case !in || line == "" || strings.HasPrefix(line, "```"):
			continue
		}
		from, to, ok := strings.Cut(line, "->")
		from = strings.TrimSpace(from)
		if !ok || !strings.HasPrefix(from, "x/") {
			return nil, fmt.Errorf("module-graph line %q is not \"x/a -> x/b, x/c\"", line)
		}
		if _, dup := g[from]; dup {
			return nil, fmt.Errorf("module-graph draws %s twice", from)
		}
		g[from] = []string{}
		for _, t := range strings.Split(to, ",") {
			if t = strings.TrimSpace(t); t != "" {
				g[from] = append(g[from], t)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("no <!-- module-graph: begin --> ... <!-- module-graph: end --> block")
}

// moduleOf returns "x/<name>" for a package of this repository under x/ ("" otherwise)
// and the rest of its path inside the module ("types", "keeper", "" for the root).
func moduleOf(importPath string) (mod, rest string) {
	p, ok := strings.CutPrefix(importPath, modulePath+"/")
	if !ok || !strings.HasPrefix(p, "x/") {
		return "", ""
	}
	parts := strings.SplitN(p, "/", 3)
	if len(parts) < 2 {
		return "", ""
	}
	mod = "x/" + parts[1]
	if len(parts) == 3 {
		rest = parts[2]
	}
	return mod, rest
}

// check returns one problem per offending import, naming the package and the import,
// then one per drawn edge that no import uses.
func check(pkgs []pkg, drawn graph) []string {
	var problems []string
	used := map[[2]string]bool{}
	for _, p := range pkgs {
		from, _ := moduleOf(p.ImportPath)
		if from == "" {
			continue
		}
		internal := from == "x/internal"
		if _, ok := drawn[from]; !ok && !internal {
			problems = append(problems, fmt.Sprintf("%s: module %s is not drawn in docs/DESIGN.md's module graph", p.ImportPath, from))
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, modulePath+"/") {
				continue
			}
			to, rest := moduleOf(imp)
			switch {
			case to == "":
				problems = append(problems, fmt.Sprintf("%s imports %s: consensus code imports nothing outside x/", p.ImportPath, imp))
			case to == from:
			case to == "x/internal":
			case internal:
				problems = append(problems, fmt.Sprintf("%s imports %s: x/internal imports no module", p.ImportPath, imp))
			case rest != "types":
				problems = append(problems, fmt.Sprintf("%s imports %s: another module is used through an interface in expected_keepers.go, never its %q package",
					p.ImportPath, imp, strings.TrimPrefix(strings.TrimPrefix(imp, modulePath+"/"+to), "/")))
			case !slices.Contains(drawn[from], to):
				problems = append(problems, fmt.Sprintf("%s imports %s: edge %s -> %s is not in docs/DESIGN.md's module graph", p.ImportPath, imp, from, to))
			default:
				used[[2]string{from, to}] = true
			}
		}
		// transitively too: nothing of app/, cmd/ or sidecar/ reaches consensus code
		for _, d := range p.Deps {
			for _, banned := range []string{"/app", "/cmd", "/sidecar"} {
				if d == modulePath+banned || strings.HasPrefix(d, modulePath+banned+"/") {
					problems = append(problems, fmt.Sprintf("%s depends on %s", p.ImportPath, d))
				}
			}
		}
	}
	froms := make([]string, 0, len(drawn))
	for from := range drawn {
		froms = append(froms, from)
	}
	sort.Strings(froms)
	for _, from := range froms {
		for _, to := range drawn[from] {
			if !used[[2]string{from, to}] {
				problems = append(problems, fmt.Sprintf("docs/DESIGN.md draws %s -> %s but no package of %s imports %s/types: remove the edge",
					from, to, from, to))
			}
		}
	}
	return problems
}

// listPackages runs `go list -deps`-style listing over ./... of this directory (x/).
func listPackages(t *testing.T) []pkg {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	cmd := exec.Command(goBin, "list", "-json=ImportPath,Imports,Deps", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.String())
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		require.NoError(t, dec.Decode(&p))
		pkgs = append(pkgs, p)
	}
	require.NotEmpty(t, pkgs)
	return pkgs
}

// TestImportGraphMatchesDesign is the assertion: the packages under x/ import exactly
// along the edges docs/DESIGN.md draws.
func TestImportGraphMatchesDesign(t *testing.T) {
	f, err := os.Open(designDoc)
	require.NoError(t, err)
	defer f.Close()
	drawn, err := parseGraph(f)
	require.NoError(t, err)
	pkgs := listPackages(t)

	// every module directory is drawn, and every drawn module exists
	modules := map[string]bool{}
	for _, p := range pkgs {
		if m, _ := moduleOf(p.ImportPath); m != "" && m != "x/internal" {
			modules[m] = true
		}
	}
	for m := range drawn {
		require.True(t, modules[m], "docs/DESIGN.md draws %s, which has no package", m)
	}
	problems := check(pkgs, drawn)
	require.Empty(t, problems, "the import graph differs from docs/DESIGN.md:\n%s", strings.Join(problems, "\n"))
}

// TestImportGraphCheckCatches feeds the checker each kind of wrong import and expects a
// message that names it.
func TestImportGraphCheckCatches(t *testing.T) {
	drawn, err := parseGraph(strings.NewReader("text\n<!-- module-graph: begin -->\n```\nx/a ->\nx/b -> x/a\n```\n<!-- module-graph: end -->\n"))
	require.NoError(t, err)
	require.Equal(t, graph{"x/a": {}, "x/b": {"x/a"}}, drawn)
	m := func(s string) string { return modulePath + "/" + s }
	base := []pkg{
		{ImportPath: m("x/a/types")},
		{ImportPath: m("x/b/keeper"), Imports: []string{m("x/a/types"), m("x/b/types"), m("x/internal/seed"), "fmt"}},
	}
	require.Empty(t, check(base, drawn))

	cases := map[string]struct {
		p    pkg
		want string
	}{
		"undrawn edge": {pkg{ImportPath: m("x/a/keeper"), Imports: []string{m("x/b/types")}},
			"x/a/keeper imports " + m("x/b/types") + ": edge x/a -> x/b is not in docs/DESIGN.md"},
		"another module's keeper": {pkg{ImportPath: m("x/b/keeper"), Imports: []string{m("x/a/keeper")}},
			"x/b/keeper imports " + m("x/a/keeper") + ": another module is used through an interface in expected_keepers.go, never its \"keeper\" package"},
		"another module's root package": {pkg{ImportPath: m("x/b/keeper"), Imports: []string{m("x/a")}},
			"never its \"\" package"},
		"app": {pkg{ImportPath: m("x/b/types"), Imports: []string{m("app/params")}},
			"x/b/types imports " + m("app/params") + ": consensus code imports nothing outside x/"},
		"sidecar, transitively": {pkg{ImportPath: m("x/b/types"), Deps: []string{m("sidecar/fetch")}},
			"x/b/types depends on " + m("sidecar/fetch")},
		"internal imports a module": {pkg{ImportPath: m("x/internal/seed"), Imports: []string{m("x/a/types")}},
			"x/internal imports no module"},
		"undrawn module": {pkg{ImportPath: m("x/c/keeper")}, "module x/c is not drawn"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			problems := check(append(slices.Clone(base), c.p), drawn)
			require.Len(t, problems, 1, "%v", problems)
			require.Contains(t, problems[0], c.want)
		})
	}

	// a drawn edge nothing uses is reported too, so the drawing stays exact
	problems := check([]pkg{{ImportPath: m("x/a/types")}, {ImportPath: m("x/b/types")}}, drawn)
	require.Equal(t, []string{"docs/DESIGN.md draws x/b -> x/a but no package of x/b imports x/a/types: remove the edge"}, problems)

	for _, bad := range []string{
		"no block at all",
		"<!-- module-graph: begin -->\nx/a -> \n",                                   // no end
		"<!-- module-graph: begin -->\n<!-- module-graph: end -->\n",                // empty
		"<!-- module-graph: begin -->\nnodes -> models\n<!-- module-graph: end -->", // not x/
		"<!-- module-graph: begin -->\nx/a ->\nx/a ->\n<!-- module-graph: end -->",  // twice
	} {
		_, err := parseGraph(strings.NewReader(bad))
		require.Error(t, err, bad)
	}
}
