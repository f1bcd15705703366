package x_test

// The handler tables of the module READMEs ("## Messages: handlers, state and senders")
// are checked against the code here, reading files only: every Msg RPC of a module (its
// generated MsgServer interface) has its msgServer method in x/<mod>/keeper/msg_<rpc>.go,
// and the README has one row for it naming that file:function; every other file:function,
// collection and event named in a row exists; the CLI command is the one autocli builds
// (or none where autocli skips the RPC); a claimed sidecar sender constructs the message
// in sidecar/ or cmd/cortd-sidecar/, and "no sidecar role" is true.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/stretchr/testify/require"
)

// handlerTableHeading opens the table section of each module README.
const handlerTableHeading = "## Messages: handlers, state and senders"

// handlerModules are the modules whose READMEs carry a handler table.
var handlerModules = []string{"audits", "challenges", "data", "models", "nodes", "payments", "sessions"}

func TestReadmeHandlerTables(t *testing.T) {
	root := os.DirFS("..") // the repository root: x/, sidecar/, cmd/

	// Every module with a Msg service is covered.
	entries, err := fs.ReadDir(root, "x")
	require.NoError(t, err)
	for _, e := range entries {
		if _, err := fs.Stat(root, path.Join("x", e.Name(), "types", "tx.pb.go")); err == nil {
			require.Contains(t, handlerModules, e.Name(), "x/%s has a Msg service: add it to handlerModules and give its README a handler table", e.Name())
		}
	}

	senders, err := sidecarSenders(root)
	require.NoError(t, err)
	for _, mod := range handlerModules {
		t.Run(mod, func(t *testing.T) {
			problems, err := checkHandlerTable(root, mod, senders)
			require.NoError(t, err)
			require.Empty(t, problems, "x/%s/README.md, %q", mod, handlerTableHeading)
		})
	}
}

// TestReadmeHandlerTablesReportsMistakes runs the checker on a synthetic module: a
// correct one passes, and each kind of mistake is reported.
func TestReadmeHandlerTablesReportsMistakes(t *testing.T) {
	good := demoModule()
	problems, err := checkHandlerTable(good, "demo", demoSenders)
	require.NoError(t, err)
	require.Empty(t, problems)

	cases := []struct {
		name   string
		change func(fstest.MapFS)
		want   string
	}{
		{"missing row", func(m fstest.MapFS) { replaceIn(m, "x/demo/README.md", demoRowBar+"\n", "") },
			"Bar: no row"},
		{"missing file", func(m fstest.MapFS) { delete(m, "x/demo/keeper/msg_bar.go") },
			"Bar: x/demo/keeper/msg_bar.go does not exist"},
		{"method in another file", func(m fstest.MapFS) {
			m["x/demo/keeper/msg_server.go"] = &fstest.MapFile{Data: []byte(string(m["x/demo/keeper/msg_server.go"].Data) +
				"\nfunc (s msgServer) Bar(ctx context.Context, msg *types.MsgBar) (*types.MsgBarResponse, error) { return nil, nil }\n")}
			m["x/demo/keeper/msg_bar.go"] = &fstest.MapFile{Data: []byte("package keeper\n")}
		}, "Bar: msgServer.Bar is declared in msg_server.go, not in msg_bar.go"},
		{"wrong handler cell", func(m fstest.MapFS) { replaceIn(m, "x/demo/README.md", "`msg_bar.go:Bar`", "`msg_server.go:Bar`") },
			"Bar: the handler cell does not name `msg_bar.go:Bar`"},
		{"unknown event", func(m fstest.MapFS) { replaceIn(m, "x/demo/README.md", "`EventBar`", "`EventBarred`") },
			"Bar: event EventBarred is not a type of x/demo/types"},
		{"unknown collection", func(m fstest.MapFS) { replaceIn(m, "x/demo/README.md", "`Items`", "`Things`") },
			"Foo: collection Things is not a field of x/demo/keeper's Keeper"},
		{"unknown keeper function", func(m fstest.MapFS) {
			replaceIn(m, "x/demo/README.md", "`msg_foo.go:Foo`", "`msg_foo.go:Foo` → `work.go:Keeper.DoFoo`")
		}, "Foo: work.go:Keeper.DoFoo is not declared in x/demo/keeper/work.go"},
		{"wrong CLI command", func(m fstest.MapFS) {
			replaceIn(m, "x/demo/README.md", "`cortd tx demo foo`", "`cortd tx demo do-foo`")
		},
			"Foo: the sent-by cell does not name `cortd tx demo foo`"},
		{"CLI command of a skipped RPC", func(m fstest.MapFS) {
			replaceIn(m, "x/demo/README.md", "no CLI command; sidecar: miner", "`cortd tx demo bar`; sidecar: miner")
		},
			"Bar: autocli skips it, but the sent-by cell names a `cortd tx` command"},
		{"false sidecar sender", func(m fstest.MapFS) {
			replaceIn(m, "x/demo/README.md", "`cortd tx demo foo`; no sidecar role", "`cortd tx demo foo`; sidecar: router")
		},
			"Foo: the sent-by cell names a sidecar sender, but no sidecar code constructs MsgFoo"},
		{"missed sidecar sender", func(m fstest.MapFS) {
			replaceIn(m, "x/demo/README.md", "no CLI command; sidecar: miner", "no CLI command; no sidecar role")
		},
			"Bar: sidecar code constructs MsgBar but the sent-by cell names no sidecar sender"},
		{"row for no RPC", func(m fstest.MapFS) {
			replaceIn(m, "x/demo/README.md", demoRowBar, demoRowBar+"\n| `Baz` | `msg_baz.go:Baz` | | | |")
		}, "Baz: a row, but x/demo has no such Msg RPC"},
		{"no table", func(m fstest.MapFS) { replaceIn(m, "x/demo/README.md", handlerTableHeading, "## Messages") },
			"no section \"" + handlerTableHeading + "\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := demoModule()
			c.change(m)
			problems, err := checkHandlerTable(m, "demo", demoSenders)
			require.NoError(t, err)
			require.Contains(t, problems, c.want)
		})
	}
}

const demoRowBar = "| `Bar` | `msg_bar.go:Bar` | `Items` | `EventBar` | no CLI command; sidecar: miner |"

// demoSenders: the sidecar constructs demo's MsgBar only.
var demoSenders = map[string]bool{"demo.MsgBar": true}

func replaceIn(m fstest.MapFS, name, old, new string) {
	s := string(m[name].Data)
	if !strings.Contains(s, old) {
		panic(fmt.Sprintf("%s has no %q", name, old))
	}
	m[name] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
}

func demoModule() fstest.MapFS {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"x/demo/types/tx.pb.go": file(`package types
type MsgServer interface {
	Foo(context.Context, *MsgFoo) (*MsgFooResponse, error)
	Bar(context.Context, *MsgBar) (*MsgBarResponse, error)
}
`),
		"x/demo/types/events.pb.go": file("package types\ntype EventFoo struct{}\ntype EventBar struct{}\n"),
		"x/demo/keeper/keeper.go": file(`package keeper
type Keeper struct {
	bank  BankKeeper
	Items collections.Map[uint64, uint64]
}
`),
		"x/demo/keeper/msg_server.go": file("package keeper\ntype msgServer struct{ Keeper }\n"),
		"x/demo/keeper/msg_foo.go": file(`package keeper
func (s msgServer) Foo(ctx context.Context, msg *types.MsgFoo) (*types.MsgFooResponse, error) { return nil, nil }
`),
		"x/demo/keeper/msg_bar.go": file(`package keeper
func (s msgServer) Bar(ctx context.Context, msg *types.MsgBar) (*types.MsgBarResponse, error) { return nil, nil }
`),
		"x/demo/keeper/work.go": file("package keeper\nfunc (k Keeper) work() {}\n"),
		"x/demo/autocli.go": file(`package demo
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Tx: &autocliv1.ServiceCommandDescriptor{
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Foo", Use: "foo [id]"},
				{RpcMethod: "Bar", Skip: true},
			},
		},
		Query: &autocliv1.ServiceCommandDescriptor{
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{{RpcMethod: "Bar", Use: "bar"}},
		},
	}
}
`),
		"x/demo/README.md": file("# x/demo\n\n## Messages\n\ntext\n\n" + handlerTableHeading + `

| RPC | handler (file:function) | collections written | events | sent by |
|---|---|---|---|---|
| ` + "`Foo`" + ` | ` + "`msg_foo.go:Foo`" + ` | ` + "`Items`" + `; bank: sender → ` + "`demo`" + ` | ` + "`EventFoo`" + ` | ` + "`cortd tx demo foo`" + `; no sidecar role |
` + demoRowBar + `

## Events
`),
	}
}

// checkHandlerTable returns what is wrong with x/<mod>/README.md's handler table and the
// msg_<rpc>.go files, reading fsys (rooted at the repository root). senders holds
// "<mod>.Msg<RPC>" for each message the sidecar constructs.
func checkHandlerTable(fsys fs.FS, mod string, senders map[string]bool) ([]string, error) {
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	dir := path.Join("x", mod)

	rpcs, err := msgServerMethods(fsys, path.Join(dir, "types", "tx.pb.go"))
	if err != nil {
		return nil, err
	}
	keeperFuncs, keeperFields, err := keeperDecls(fsys, path.Join(dir, "keeper"))
	if err != nil {
		return nil, err
	}
	events, err := typeNames(fsys, path.Join(dir, "types"))
	if err != nil {
		return nil, err
	}
	cli, err := autocliTx(fsys, path.Join(dir, "autocli.go"))
	if err != nil {
		return nil, err
	}
	readme, err := fs.ReadFile(fsys, path.Join(dir, "README.md"))
	if err != nil {
		return nil, err
	}
	rows, ok := handlerRows(string(readme))
	if !ok {
		report("no section %q", handlerTableHeading)
	}

	// (a) each RPC's method lives in msg_<snake>.go.
	for _, rpc := range rpcs {
		file := "msg_" + snake(rpc) + ".go"
		if _, err := fs.Stat(fsys, path.Join(dir, "keeper", file)); err != nil {
			report("%s: %s does not exist", rpc, path.Join(dir, "keeper", file))
		}
		where := keeperFuncs["msgServer."+rpc]
		switch {
		case len(where) == 0:
			report("%s: no msgServer.%s in %s/keeper", rpc, rpc, dir)
		case len(where) > 1 || where[0] != file:
			report("%s: msgServer.%s is declared in %s, not in %s", rpc, rpc, strings.Join(where, ", "), file)
		}
	}
	if !ok {
		return problems, nil
	}

	// (b) one row per RPC naming file:function; (c) every name in it exists.
	fileFunc := regexp.MustCompile("^([a-z0-9_]+\\.go):(?:([A-Za-z]\\w*)\\.)?([A-Za-z]\\w*)$")
	collection := regexp.MustCompile(`^(?:([a-z]+)\.)?([A-Z]\w*)$`)
	event := regexp.MustCompile(`^(?:([a-z]+)\.)?(Event\w+)$`)
	seen := map[string]bool{}
	for _, r := range rows {
		rpc := strings.Trim(r[0], "` ")
		if seen[rpc] {
			report("%s: more than one row", rpc)
		}
		seen[rpc] = true
		if !slices.Contains(rpcs, rpc) {
			report("%s: a row, but %s has no such Msg RPC", rpc, dir)
			continue
		}
		want := "msg_" + snake(rpc) + ".go:" + rpc
		if !slices.Contains(codeSpans(r[1]), want) {
			report("%s: the handler cell does not name `%s`", rpc, want)
		}
		for _, span := range codeSpans(r[1]) {
			m := fileFunc.FindStringSubmatch(span)
			if m == nil {
				report("%s: %q in the handler cell is not file.go:function or file.go:Type.Method", rpc, span)
				continue
			}
			recv := m[2]
			if recv == "" && m[1] == "msg_"+snake(rpc)+".go" {
				recv = "msgServer"
			}
			if !slices.Contains(keeperFuncs[recv+"."+m[3]], m[1]) {
				report("%s: %s is not declared in %s", rpc, span, path.Join(dir, "keeper", m[1]))
			}
		}
		for _, span := range codeSpans(r[2]) {
			m := collection.FindStringSubmatch(span)
			if m == nil {
				continue // a module account name, `data`, `nodes_rewards`
			}
			fields := keeperFields
			if m[1] != "" && m[1] != mod {
				_, other, err := keeperDecls(fsys, path.Join("x", m[1], "keeper"))
				if err != nil {
					return nil, err
				}
				fields = other
			}
			if !fields[m[2]] {
				report("%s: collection %s is not a field of x/%s/keeper's Keeper", rpc, span, cmp(m[1], mod))
			}
		}
		for _, span := range codeSpans(r[3]) {
			m := event.FindStringSubmatch(span)
			if m == nil {
				report("%s: %q in the events cell is not an event type", rpc, span)
				continue
			}
			names := events
			if m[1] != "" && m[1] != mod {
				if names, err = typeNames(fsys, path.Join("x", m[1], "types")); err != nil {
					return nil, err
				}
			}
			if !names[m[2]] {
				report("%s: event %s is not a type of x/%s/types", rpc, m[2], cmp(m[1], mod))
			}
		}
		sentBy := r[4]
		if use, skipped, listed := cli.use(rpc); listed && !skipped {
			cmd := "cortd tx " + mod + " " + strings.Fields(use)[0]
			if !slices.Contains(codeSpans(sentBy), cmd) {
				report("%s: the sent-by cell does not name `%s`", rpc, cmd)
			}
		} else if strings.Contains(sentBy, "cortd tx") {
			report("%s: autocli skips it, but the sent-by cell names a `cortd tx` command", rpc)
		}
		claims := strings.Contains(sentBy, "sidecar:") || strings.Contains(sentBy, "cortd-sidecar")
		switch sends := senders[mod+".Msg"+rpc]; {
		case claims && !sends:
			report("%s: the sent-by cell names a sidecar sender, but no sidecar code constructs Msg%s", rpc, rpc)
		case !claims && sends:
			report("%s: sidecar code constructs Msg%s but the sent-by cell names no sidecar sender", rpc, rpc)
		}
	}
	for _, rpc := range rpcs {
		if !seen[rpc] {
			report("%s: no row", rpc)
		}
	}
	return problems, nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// handlerRows returns the cells of each data row of the handler table (false: no section).
func handlerRows(readme string) ([][]string, bool) {
	lines := strings.Split(readme, "\n")
	start := slices.Index(lines, handlerTableHeading)
	if start < 0 {
		return nil, false
	}
	var rows [][]string
	for _, l := range lines[start+1:] {
		if strings.HasPrefix(l, "#") {
			break
		}
		if !strings.HasPrefix(l, "|") || strings.HasPrefix(l, "|---") || strings.HasPrefix(l, "| RPC ") {
			continue
		}
		cells := strings.Split(strings.Trim(l, "|"), "|")
		for len(cells) < 5 {
			cells = append(cells, "")
		}
		rows = append(rows, cells)
	}
	return rows, true
}

// codeSpans returns the `code` spans of a markdown cell.
func codeSpans(cell string) []string {
	var out []string
	parts := strings.Split(cell, "`")
	for i := 1; i < len(parts); i += 2 {
		out = append(out, parts[i])
	}
	return out
}

// snake turns an RPC name into the file name's form: UpdateParams → update_params.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func parseGo(fsys fs.FS, name string) (*ast.File, error) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	return parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
}

// goFiles lists the non-test .go files of dir.
func goFiles(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			out = append(out, n)
		}
	}
	return out, nil
}

// msgServerMethods returns the methods of the generated MsgServer interface, in order.
func msgServerMethods(fsys fs.FS, txPB string) ([]string, error) {
	f, err := parseGo(fsys, txPB)
	if err != nil {
		return nil, err
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "MsgServer" {
			return true
		}
		if it, ok := ts.Type.(*ast.InterfaceType); ok {
			for _, m := range it.Methods.List {
				for _, name := range m.Names {
					out = append(out, name.Name)
				}
			}
		}
		return false
	})
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no MsgServer interface", txPB)
	}
	return out, nil
}

// keeperDecls returns, for a keeper package, "Recv.Name" (or ".Name" for a function) →
// the files declaring it, and the field names of its Keeper struct.
func keeperDecls(fsys fs.FS, dir string) (map[string][]string, map[string]bool, error) {
	files, err := goFiles(fsys, dir)
	if err != nil {
		return nil, nil, err
	}
	funcs := map[string][]string{}
	fields := map[string]bool{}
	for _, name := range files {
		f, err := parseGo(fsys, path.Join(dir, name))
		if err != nil {
			return nil, nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				recv := ""
				if d.Recv != nil && len(d.Recv.List) == 1 {
					t := d.Recv.List[0].Type
					if s, ok := t.(*ast.StarExpr); ok {
						t = s.X
					}
					if id, ok := t.(*ast.Ident); ok {
						recv = id.Name
					}
				}
				k := recv + "." + d.Name.Name
				funcs[k] = append(funcs[k], name)
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok || ts.Name.Name != "Keeper" {
						continue
					}
					if st, ok := ts.Type.(*ast.StructType); ok {
						for _, fl := range st.Fields.List {
							for _, n := range fl.Names {
								fields[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return funcs, fields, nil
}

// typeNames returns the type names declared in a package directory.
func typeNames(fsys fs.FS, dir string) (map[string]bool, error) {
	files, err := goFiles(fsys, dir)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, name := range files {
		f, err := parseGo(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, s := range g.Specs {
					out[s.(*ast.TypeSpec).Name.Name] = true
				}
			}
		}
	}
	return out, nil
}

// txCLI is what autocli.go's Tx descriptor says of each RPC.
type txCLI map[string]struct {
	use  string
	skip bool
}

func (c txCLI) use(rpc string) (use string, skipped, listed bool) {
	o, listed := c[rpc]
	return o.use, o.skip, listed
}

// autocliTx reads the RpcCommandOptions of the Tx descriptor in autocli.go.
func autocliTx(fsys fs.FS, name string) (txCLI, error) {
	f, err := parseGo(fsys, name)
	if err != nil {
		return nil, err
	}
	out := txCLI{}
	ast.Inspect(f, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		if id, ok := kv.Key.(*ast.Ident); !ok || id.Name != "Tx" {
			return true
		}
		ast.Inspect(kv.Value, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			var rpc, use string
			skip := false
			for _, e := range cl.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, _ := kv.Key.(*ast.Ident)
				if key == nil {
					continue
				}
				switch v := kv.Value.(type) {
				case *ast.BasicLit:
					s, _ := strconv.Unquote(v.Value)
					switch key.Name {
					case "RpcMethod":
						rpc = s
					case "Use":
						use = s
					}
				case *ast.Ident:
					if key.Name == "Skip" && v.Name == "true" {
						skip = true
					}
				}
			}
			if rpc != "" {
				out[rpc] = struct {
					use  string
					skip bool
				}{use, skip}
			}
			return true
		})
		return false
	})
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no Tx RpcCommandOptions", name)
	}
	return out, nil
}

// sidecarSenders returns "<mod>.Msg<RPC>" for each x/<mod>/types message that non-test
// code under sidecar/ or cmd/cortd-sidecar/ constructs (a composite literal).
func sidecarSenders(fsys fs.FS) (map[string]bool, error) {
	out := map[string]bool{}
	modPrefix := "github.com/cortnet/cortd/x/"
	for _, root := range []string{"sidecar", "cmd/cortd-sidecar"} {
		err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parseGo(fsys, p)
			if err != nil {
				return err
			}
			alias := map[string]string{} // import name → module
			for _, im := range f.Imports {
				ip, _ := strconv.Unquote(im.Path.Value)
				rest, ok := strings.CutPrefix(ip, modPrefix)
				if !ok || !strings.HasSuffix(rest, "/types") {
					continue
				}
				mod := strings.TrimSuffix(rest, "/types")
				name := "types"
				if im.Name != nil {
					name = im.Name.Name
				}
				alias[name] = mod
			}
			ast.Inspect(f, func(n ast.Node) bool {
				cl, ok := n.(*ast.CompositeLit)
				if !ok {
					return true
				}
				if se, ok := cl.Type.(*ast.SelectorExpr); ok {
					if id, ok := se.X.(*ast.Ident); ok && alias[id.Name] != "" && strings.HasPrefix(se.Sel.Name, "Msg") {
						out[alias[id.Name]+"."+se.Sel.Name] = true
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
