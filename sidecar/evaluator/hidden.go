package evaluator

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrBadTests: the hidden tests cannot be evaluated through the harness (no Go
// test, a TestMain of their own, a directory name the runner script will not
// quote, an external test package of a main package). The challenge is then
// not scored by this evaluator.
var ErrBadTests = errors.New("hidden tests unusable")

// HiddenTest is one top-level test function of the hidden archive. Only these
// count: the score is passed hidden tests / len(hidden tests).
type HiddenTest struct {
	ID       int    // index in the challenge's list; what the test process reports
	Dir      string // package directory relative to the repository root ("." for the root)
	External bool   // declared in the _test package (package foo_test)
	Name     string // TestXxx
}

// testPackage is one package directory's hidden tests and what its generated
// test main needs.
type testPackage struct {
	Dir      string
	Internal string // the package's own name (package foo)
	External string // the external test package's name, if any test file uses one
	Tests    []HiddenTest
}

// safeDir is what the runner script accepts as a package directory: it is
// single-quoted there, and go test takes it as ./dir.
var safeDir = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_./-]*$`)

// findHiddenTests parses the hidden test files (path → content; only *_test.go
// files are read) and lists their top-level `func TestXxx(t *testing.T)`
// functions, in a stable order (directory, then file, then declaration).
func findHiddenTests(files map[string][]byte) ([]HiddenTest, []testPackage, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		if strings.HasSuffix(n, "_test.go") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	pkgs := map[string]*testPackage{}
	var order []string
	fset := token.NewFileSet()
	for _, n := range names {
		f, err := parser.ParseFile(fset, n, files[n], parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %s does not parse: %v", ErrBadTests, n, err)
		}
		dir := path.Dir(n)
		if dir != "." && (!safeDir.MatchString(dir) || strings.Contains(dir, "..")) {
			return nil, nil, fmt.Errorf("%w: directory %q", ErrBadTests, dir)
		}
		tp := pkgs[dir]
		if tp == nil {
			tp = &testPackage{Dir: dir}
			pkgs[dir] = tp
			order = append(order, dir)
		}
		external := strings.HasSuffix(f.Name.Name, "_test")
		if external {
			tp.External = f.Name.Name
		} else {
			tp.Internal = f.Name.Name
		}
		testingName := importName(f, "testing")
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil {
				continue
			}
			if fn.Name.Name == "TestMain" {
				return nil, nil, fmt.Errorf("%w: %s declares TestMain (the evaluator supplies its own)", ErrBadTests, n)
			}
			if !isTestFunc(fn, testingName) {
				continue
			}
			tp.Tests = append(tp.Tests, HiddenTest{Dir: dir, External: external, Name: fn.Name.Name})
		}
	}
	var all []HiddenTest
	var out []testPackage
	for _, dir := range order {
		tp := pkgs[dir]
		if len(tp.Tests) == 0 {
			continue
		}
		if tp.Internal == "" && tp.External != "" {
			tp.Internal = strings.TrimSuffix(tp.External, "_test")
		}
		if tp.Internal == "main" && tp.External != "" {
			return nil, nil, fmt.Errorf("%w: %s: external tests of a main package", ErrBadTests, dir)
		}
		for i := range tp.Tests {
			tp.Tests[i].ID = len(all)
			all = append(all, tp.Tests[i])
		}
		out = append(out, *tp)
	}
	if len(all) == 0 {
		return nil, nil, fmt.Errorf("%w: no func TestXxx(*testing.T) in the hidden test files", ErrBadTests)
	}
	return all, out, nil
}

// importName is the name under which f imports path ("" if it does not).
func importName(f *ast.File, p string) string {
	for _, imp := range f.Imports {
		if strings.Trim(imp.Path.Value, "`\"") != p {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return path.Base(p)
	}
	return ""
}

// isTestFunc is go test's rule: TestXxx where Xxx does not start with a lower
// case letter, one parameter of type *testing.T, no results, no type parameters.
func isTestFunc(fn *ast.FuncDecl, testingName string) bool {
	name := fn.Name.Name
	if !strings.HasPrefix(name, "Test") || testingName == "" || testingName == "_" {
		return false
	}
	if rest := name[4:]; rest != "" {
		r, _ := utf8.DecodeRuneInString(rest)
		if unicode.IsLower(r) {
			return false
		}
	}
	t := fn.Type
	if t.TypeParams != nil || (t.Results != nil && len(t.Results.List) > 0) || t.Params == nil || len(t.Params.List) != 1 {
		return false
	}
	p := t.Params.List[0]
	if len(p.Names) > 1 {
		return false
	}
	star, ok := p.Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == testingName && sel.Sel.Name == "T"
}
