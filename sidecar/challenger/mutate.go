package challenger

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Kind is a kind of mutation.
type Kind string

const (
	// FlipComparison negates a comparison operator (< ↔ >=, > ↔ <=, == ↔ !=).
	FlipComparison Kind = "flip-comparison"
	// OffByOne adds one to an integer literal used as an operand, index or slice bound.
	OffByOne Kind = "off-by-one"
	// DropStatement removes an expression, increment or assignment statement.
	DropStatement Kind = "drop-statement"
)

// Site is one place a mutation can be applied: the Index-th site (in source order) of
// File, a path relative to the repository root. Sites are found and applied by the
// same walk, so an index names the same node every time the file is parsed.
type Site struct {
	File  string `json:"file"`
	Func  string `json:"func"`
	Kind  Kind   `json:"kind"`
	Index int    `json:"index"`
	Line  int    `json:"line"`
	Desc  string `json:"desc"`
}

func (s Site) String() string {
	return fmt.Sprintf("%s:%d %s in %s (%s)", s.File, s.Line, s.Kind, s.Func, s.Desc)
}

var flipped = map[token.Token]token.Token{
	token.LSS: token.GEQ, token.GEQ: token.LSS,
	token.GTR: token.LEQ, token.LEQ: token.GTR,
	token.EQL: token.NEQ, token.NEQ: token.EQL,
}

// walkSites calls visit for every mutation site of a parsed file in a fixed order
// (functions in source order, then ast.Inspect order inside each body). mutate applies
// the site's mutation to the tree.
func walkSites(fset *token.FileSet, f *ast.File, visit func(fn string, kind Kind, pos token.Pos, desc string, mutate func())) {
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		fn := fd.Name.Name
		if fd.Recv != nil && len(fd.Recv.List) == 1 {
			fn = recvName(fd.Recv.List[0].Type) + "." + fn
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if to, ok := flipped[n.Op]; ok {
					from := n.Op
					visit(fn, FlipComparison, n.OpPos, from.String()+" → "+to.String(), func() { n.Op = to })
				}
				for _, operand := range []*ast.Expr{&n.X, &n.Y} {
					offByOne(fn, operand, visit)
				}
			case *ast.IndexExpr:
				offByOne(fn, &n.Index, visit)
			case *ast.SliceExpr:
				for _, bound := range []*ast.Expr{&n.Low, &n.High} {
					offByOne(fn, bound, visit)
				}
			case *ast.BlockStmt:
				for i, st := range n.List {
					if !droppable(st) {
						continue
					}
					block, idx := n, i
					visit(fn, DropStatement, st.Pos(), "drop "+stmtText(fset, st), func() {
						block.List = append(block.List[:idx:idx], block.List[idx+1:]...)
					})
				}
			}
			return true
		})
	}
}

// offByOne offers a site for an integer literal operand.
func offByOne(fn string, e *ast.Expr, visit func(string, Kind, token.Pos, string, func())) {
	if e == nil || *e == nil {
		return
	}
	lit, ok := (*e).(*ast.BasicLit)
	if !ok || lit.Kind != token.INT {
		return
	}
	v, err := strconv.ParseInt(lit.Value, 0, 64)
	if err != nil || v >= 1<<40 {
		return
	}
	next := strconv.FormatInt(v+1, 10)
	visit(fn, OffByOne, lit.Pos(), lit.Value+" → "+next, func() { lit.Value = next })
}

// droppable: statements whose removal usually still compiles (a dropped `x := ...`
// would leave x undefined, so definitions are not offered).
func droppable(st ast.Stmt) bool {
	switch st := st.(type) {
	case *ast.ExprStmt, *ast.IncDecStmt:
		return true
	case *ast.AssignStmt:
		return st.Tok != token.DEFINE
	}
	return false
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	}
	return "?"
}

func stmtText(fset *token.FileSet, st ast.Stmt) string {
	var b bytes.Buffer
	if err := format.Node(&b, fset, st); err != nil {
		return "statement"
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return s
}

// sourceFiles lists the repository's non-test Go files (relative, sorted), skipping
// .git, vendor, testdata and hidden folders.
func sourceFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(name, ".") || name == "vendor" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// FindSites lists every mutation site of the repository's non-test Go files, in a
// deterministic order (files sorted, then source order).
func FindSites(dir string) ([]Site, error) {
	files, err := sourceFiles(dir)
	if err != nil {
		return nil, err
	}
	var sites []Site
	for _, rel := range files {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, filepath.Join(dir, rel), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", rel, err)
		}
		i := 0
		walkSites(fset, f, func(fn string, kind Kind, pos token.Pos, desc string, _ func()) {
			sites = append(sites, Site{File: rel, Func: fn, Kind: kind, Index: i, Line: fset.Position(pos).Line, Desc: desc})
			i++
		})
	}
	return sites, nil
}

// Mutate returns the source of s.File (under dir) with the mutation applied, and the
// original source.
func Mutate(dir string, s Site) (mutated, original []byte, err error) {
	path := filepath.Join(dir, filepath.FromSlash(s.File))
	original, err = os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, original, parser.ParseComments)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", s.File, err)
	}
	i, done := 0, false
	walkSites(fset, f, func(_ string, kind Kind, _ token.Pos, _ string, mutate func()) {
		if i == s.Index && !done {
			if kind != s.Kind {
				err = fmt.Errorf("%s: site %d is %s, not %s (file changed?)", s.File, i, kind, s.Kind)
			} else {
				mutate()
			}
			done = true
		}
		i++
	})
	if err != nil {
		return nil, nil, err
	}
	if !done {
		return nil, nil, fmt.Errorf("%s: no site %d", s.File, s.Index)
	}
	// A dropped statement can leave its comments dangling; the printer copes.
	var b bytes.Buffer
	if err := format.Node(&b, fset, f); err != nil {
		return nil, nil, fmt.Errorf("print %s: %w", s.File, err)
	}
	return b.Bytes(), original, nil
}
