package evaluator

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"strconv"
	"strings"
)

// ErrPolicy: the patch changes something a patch may not, or its Go code may
// use a capability that could reach the evaluator's result channel. The score is
// 0 without running anything.
var ErrPolicy = errors.New("patch refused by the source policy")

// generatedPrefix names the files the evaluator writes into the patched tree (its
// test main); a patch may not create or change one.
const generatedPrefix = "zz_cortd_eval"

// allowedImports are the standard-library packages a patched Go file may import:
// pure computation, formatting and data structures. Everything that can name a
// file descriptor, a file, a process, memory or the testing package is left out
// (os, syscall, unsafe, runtime, reflect, net, testing, io/ioutil, log, plugin,
// os/exec, debug/*, go/*, internal/*, the template packages, archive/zip,
// crypto/x509, ...). That is what keeps the result channel out of the patch's
// reach: descriptors 3 and 4 of the test process can only be touched through
// those packages, and /proc (hence /dev/fd) does not exist in the sandbox.
var allowedImports = map[string]bool{
	"bufio": true, "bytes": true, "cmp": true, "context": true, "errors": true, "fmt": true,
	"container/heap": true, "container/list": true, "container/ring": true,
	"crypto/aes": true, "crypto/cipher": true, "crypto/hmac": true, "crypto/md5": true,
	"crypto/rand": true, "crypto/sha1": true, "crypto/sha256": true, "crypto/sha512": true,
	"crypto/subtle":  true,
	"compress/flate": true, "compress/gzip": true, "compress/zlib": true,
	"encoding": true, "encoding/ascii85": true, "encoding/base32": true, "encoding/base64": true,
	"encoding/binary": true, "encoding/csv": true, "encoding/hex": true, "encoding/json": true,
	"encoding/pem": true, "encoding/xml": true,
	"hash": true, "hash/adler32": true, "hash/crc32": true, "hash/crc64": true, "hash/fnv": true,
	"hash/maphash": true, "html": true, "image": true, "image/color": true, "io": true, "iter": true,
	"maps": true, "math": true, "math/big": true, "math/bits": true, "math/cmplx": true,
	"math/rand": true, "math/rand/v2": true, "path": true, "regexp": true, "regexp/syntax": true,
	"slices": true, "sort": true, "strconv": true, "strings": true, "sync": true, "sync/atomic": true,
	"text/tabwriter": true, "time": true, "unicode": true, "unicode/utf16": true, "unicode/utf8": true,
	"unique": true,
}

// allowedDirectives are the //go: comment directives a patched file may carry
// (linkname, cgo_*, embed and the rest are refused).
var allowedDirectives = map[string]bool{"build": true, "generate": true, "noinline": true}

// checkPatchPath refuses a path that is not an ordinary Go source file of the
// module: test files (checked separately by IsTestPath), go.mod/go.sum/go.work
// (replace and toolchain lines), vendor/ trees, assembly, C, .syso objects and any
// other non-Go file, and the evaluator's own generated files.
func checkPatchPath(p string) error {
	base := path.Base(p)
	switch {
	case !strings.HasSuffix(base, ".go"):
		return fmt.Errorf("%w: %s is not a Go source file (a patch changes .go files only)", ErrPolicy, p)
	case strings.HasPrefix(base, generatedPrefix):
		return fmt.Errorf("%w: %s is reserved for the evaluator", ErrPolicy, p)
	}
	for _, part := range strings.Split(path.Dir(p), "/") {
		if part == "vendor" {
			return fmt.Errorf("%w: %s is under vendor/", ErrPolicy, p)
		}
	}
	return nil
}

// CheckGoSource applies the source policy to one patched Go file (its content
// after the patch): it must parse, import only allowedImports or packages of
// modulePath itself, not use cgo, and carry no //go: directive outside
// allowedDirectives.
func CheckGoSource(name string, src []byte, modulePath string) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return fmt.Errorf("%w: %s does not parse: %v", ErrPolicy, name, err)
	}
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			return fmt.Errorf("%w: %s: bad import %s", ErrPolicy, name, imp.Path.Value)
		}
		if !importAllowed(p, modulePath) {
			return fmt.Errorf("%w: %s imports %q (allowed: pure standard-library packages and the module's own)", ErrPolicy, name, p)
		}
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if d, ok := goDirective(c); ok && !allowedDirectives[d] {
				return fmt.Errorf("%w: %s carries a //go:%s directive", ErrPolicy, name, d)
			}
		}
	}
	return nil
}

func importAllowed(p, modulePath string) bool {
	if allowedImports[p] {
		return true
	}
	if modulePath == "" || modulePath == "C" {
		return false
	}
	return p == modulePath || strings.HasPrefix(p, modulePath+"/")
}

// goDirective returns the name of a //go:name directive (the compiler reads
// only line comments starting exactly with "//go:").
func goDirective(c *ast.Comment) (string, bool) {
	rest, ok := strings.CutPrefix(c.Text, "//go:")
	if !ok {
		return "", false
	}
	end := strings.IndexAny(rest, " \t")
	if end < 0 {
		end = len(rest)
	}
	return rest[:end], true
}
