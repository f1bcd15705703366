package evaluator

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckGoSource(t *testing.T) {
	const mod = "example.com/calc"
	cases := []struct{ name, src, err string }{
		{"pure code", "package calc\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n\t\"example.com/calc/internal/x\"\n)\n", ""},
		{"the module itself", "package calc\n\nimport \"example.com/calc\"\n", ""},
		{"build and noinline directives", "//go:build linux\n\npackage calc\n\n//go:noinline\nfunc f() {}\n", ""},
		{"os", "package calc\n\nimport \"os\"\n", `imports "os"`},
		{"renamed os", "package calc\n\nimport fmt \"os\"\n", `imports "os"`},
		{"syscall", "package calc\n\nimport \"syscall\"\n", `imports "syscall"`},
		{"unsafe blank", "package calc\n\nimport _ \"unsafe\"\n", `imports "unsafe"`},
		{"runtime", "package calc\n\nimport \"runtime/debug\"\n", `imports "runtime/debug"`},
		{"reflect", "package calc\n\nimport \"reflect\"\n", `imports "reflect"`},
		{"net", "package calc\n\nimport \"net/http\"\n", `imports "net/http"`},
		{"testing", "package calc\n\nimport \"testing\"\n", `imports "testing"`},
		{"io/ioutil", "package calc\n\nimport \"io/ioutil\"\n", `imports "io/ioutil"`},
		{"os/exec", "package calc\n\nimport \"os/exec\"\n", `imports "os/exec"`},
		{"log", "package calc\n\nimport \"log\"\n", `imports "log"`},
		{"text/template reads files", "package calc\n\nimport \"text/template\"\n", `imports "text/template"`},
		{"a module that only shares the prefix", "package calc\n\nimport \"example.com/calcx\"\n", `imports "example.com/calcx"`},
		{"another module", "package calc\n\nimport \"github.com/evil/x\"\n", `imports "github.com/evil/x"`},
		{"cgo", "package calc\n\nimport \"C\"\n", `imports "C"`},
		{"linkname", "package calc\n\n//go:linkname f runtime.f\nfunc f()\n", "//go:linkname"},
		{"embed", "package calc\n\n//go:embed x\nvar s string\n", "//go:embed"},
		{"cgo directive", "package calc\n\n//go:cgo_import_dynamic x x \"libc.so\"\n", "//go:cgo_import_dynamic"},
		{"does not parse", "package calc\n\nfunc (\n", "does not parse"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckGoSource("f.go", []byte(tc.src), mod)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrPolicy)
			require.ErrorContains(t, err, tc.err)
		})
	}
	// Without a module path only the standard library's pure packages pass.
	require.ErrorIs(t, CheckGoSource("f.go", []byte("package calc\n\nimport \"example.com/calc\"\n"), ""), ErrPolicy)
}

func TestCheckPatchPath(t *testing.T) {
	for _, p := range []string{"calc.go", "internal/x/x.go", "cmd/tool/main.go"} {
		require.NoError(t, checkPatchPath(p), p)
	}
	for _, p := range []string{"go.mod", "go.sum", "go.work", "vendor/x/y.go", "a/vendor/y.go", "x.s", "x.c", "x.h",
		"x.syso", "Makefile", "zz_cortd_eval_main_test.go", "zz_cortd_eval.go", "README.md"} {
		require.ErrorIs(t, checkPatchPath(p), ErrPolicy, p)
	}
}
