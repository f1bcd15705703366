// Package schemagolden pins a module's stored layout in a golden file, so a change that
// would make stored data read differently fails a test until it is planned: with a
// migration, a bumped ConsensusVersion and an upgrade that runs it.
//
// The layout is everything that decides how bytes in the store are read: each collection's
// name and prefix, its key codec, its value codec and, for protobuf values, every field of
// the message and of the messages and enums it contains (number, name, kind, cardinality,
// enum values), recursively. The module's ConsensusVersion heads the file.
package schemagolden

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/cosmos/gogoproto/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"cosmossdk.io/collections"
)

// UpdateEnv names the environment variable that rewrites the golden files.
const UpdateEnv = "UPDATE_SCHEMA_GOLDEN"

// Path is where a keeper package keeps its golden file.
const Path = "testdata/schema.golden"

type coll struct {
	name, prefix, key, value string
}

// Describe renders the layout of schema, reading the key codecs from keeper (a keeper
// struct, or a pointer to one) whose exported fields, and exported fields of its struct
// fields, hold the collections.
func Describe(module string, consensusVersion uint64, keeper any, schema collections.Schema) (string, error) {
	found := map[string]coll{}
	k := reflect.ValueOf(keeper)
	if k.Kind() == reflect.Pointer {
		k = k.Elem()
	}
	addressable := reflect.New(k.Type()).Elem() // fields of an addressable struct have addresses
	addressable.Set(k)
	if err := collect(addressable, found, 0); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# x/%s store layout at ConsensusVersion %d\n", module, consensusVersion)
	var messages []string
	for _, c := range schema.ListCollections() {
		f, ok := found[c.GetName()]
		if !ok {
			return "", fmt.Errorf("collection %q of the schema is not an exported field of the keeper (or of one of its struct fields): export it so its key codec can be pinned", c.GetName())
		}
		if want := fmt.Sprintf("%x", c.GetPrefix()); f.prefix != want {
			return "", fmt.Errorf("collection %q: keeper field prefix %s, schema prefix %s", c.GetName(), f.prefix, want)
		}
		fmt.Fprintf(&b, "collection %s prefix=%s key=%s value=%s\n", f.name, f.prefix, f.key, f.value)
		if msg, ok := strings.CutPrefix(f.value, "github.com/cosmos/gogoproto/"); ok {
			messages = append(messages, msg)
		}
	}
	seen := map[protoreflect.FullName]bool{}
	for _, m := range messages {
		desc, err := proto.HybridResolver.FindDescriptorByName(protoreflect.FullName(m))
		if err != nil {
			return "", fmt.Errorf("value message %s: %w", m, err)
		}
		md, ok := desc.(protoreflect.MessageDescriptor)
		if !ok {
			return "", fmt.Errorf("value type %s is not a message", m)
		}
		describeMessage(&b, md, seen)
	}
	return b.String(), nil
}

// collect walks v's exported fields for collections (every collections type shares Map's
// layout: key codec kc, value codec vc, prefix, name) and records them by name.
func collect(v reflect.Value, found map[string]coll, depth int) error {
	if depth > 4 {
		return nil
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	if c, ok := asCollection(v); ok {
		if prev, dup := found[c.name]; dup && prev != c {
			return fmt.Errorf("two collections named %q", c.name)
		}
		found[c.name] = c
		return nil
	}
	t := v.Type()
	// Inside the collections packages (IndexedMap, its indexes) the collections sit in
	// unexported fields; elsewhere only exported fields are the keeper's collections.
	inside := strings.HasPrefix(t.PkgPath(), "cosmossdk.io/collections")
	for i := range t.NumField() {
		if !t.Field(i).IsExported() && !inside {
			continue
		}
		if err := collect(v.Field(i), found, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func asCollection(v reflect.Value) (coll, bool) {
	t := v.Type()
	if t.PkgPath() != "cosmossdk.io/collections" {
		return coll{}, false
	}
	kc, vc, prefix, name := v.FieldByName("kc"), v.FieldByName("vc"), v.FieldByName("prefix"), v.FieldByName("name")
	if !kc.IsValid() || !vc.IsValid() || !prefix.IsValid() || name.Kind() != reflect.String {
		return coll{}, false
	}
	return coll{
		name:   name.String(),
		prefix: fmt.Sprintf("%x", prefix.Bytes()),
		key:    typeName(kc, "KeyType"),
		value:  typeName(vc, "ValueType"),
	}, true
}

// typeName calls method (KeyType / ValueType) on an unexported codec field: reflect
// refuses calls through unexported fields, so the field is re-read through its address
// (collect works on an addressable copy of the keeper). Test-only code.
func typeName(field reflect.Value, method string) string {
	v := reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem()
	if v.IsNil() {
		return "?"
	}
	m := v.MethodByName(method)
	if !m.IsValid() {
		return "?"
	}
	return m.Call(nil)[0].String()
}

func describeMessage(b *strings.Builder, md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) {
	if seen[md.FullName()] {
		return
	}
	seen[md.FullName()] = true
	fmt.Fprintf(b, "message %s\n", md.FullName())
	var nested []protoreflect.MessageDescriptor
	var enums []protoreflect.EnumDescriptor
	fields := md.Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		kind := f.Kind().String()
		switch {
		case f.IsMap():
			kind = fmt.Sprintf("map<%s,%s>", kindOf(f.MapKey()), kindOf(f.MapValue()))
			if mv := f.MapValue().Message(); mv != nil {
				nested = append(nested, mv)
			}
		case f.Message() != nil:
			kind = string(f.Message().FullName())
			nested = append(nested, f.Message())
		case f.Enum() != nil:
			kind = "enum " + string(f.Enum().FullName())
			enums = append(enums, f.Enum())
		}
		fmt.Fprintf(b, "  %d %s %s %s\n", f.Number(), f.Name(), f.Cardinality(), kind)
	}
	for _, e := range enums {
		if seen[e.FullName()] {
			continue
		}
		seen[e.FullName()] = true
		fmt.Fprintf(b, "enum %s\n", e.FullName())
		vals := e.Values()
		for i := range vals.Len() {
			fmt.Fprintf(b, "  %d %s\n", vals.Get(i).Number(), vals.Get(i).Name())
		}
	}
	for _, n := range nested {
		describeMessage(b, n, seen)
	}
}

func kindOf(f protoreflect.FieldDescriptor) string {
	if f.Message() != nil {
		return string(f.Message().FullName())
	}
	if f.Enum() != nil {
		return "enum " + string(f.Enum().FullName())
	}
	return f.Kind().String()
}

// Check compares the layout with the golden file at Path (in the test's package folder), or
// rewrites the file when UPDATE_SCHEMA_GOLDEN=1. A difference fails with what changed and
// what to do.
func Check(t *testing.T, module string, consensusVersion uint64, keeper any, schema collections.Schema) {
	t.Helper()
	got, err := Describe(module, consensusVersion, keeper, schema)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv(UpdateEnv) == "1" {
		if err := os.MkdirAll(filepath.Dir(Path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(Path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(Path)
	if err != nil {
		t.Fatalf("%v: write it with %s=1 go test ./x/%s/keeper -run TestStoreSchema", err, UpdateEnv, module)
	}
	if bytes.Equal(want, []byte(got)) {
		return
	}
	t.Fatal(Mismatch(module, consensusVersion, string(want), got))
}

// Mismatch explains a difference between the golden layout want and the current got: what
// to do (a migration when ConsensusVersion did not move) and the differing lines.
func Mismatch(module string, consensusVersion uint64, want, got string) string {
	advice := fmt.Sprintf("This is a state-breaking change: stored data written by the running release would be "+
		"read differently. Add a migration (x/%[1]s/migrations/vN, RegisterMigration in module.go), bump "+
		"ConsensusVersion (still %[2]d), and make sure the next software upgrade in app/upgrades runs it; then "+
		"regenerate this file with %[3]s=1 go test ./x/%[1]s/keeper -run TestStoreSchema.", module, consensusVersion, UpdateEnv)
	if v := goldenVersion(want); v != "" && v != fmt.Sprint(consensusVersion) {
		advice = fmt.Sprintf("ConsensusVersion moved from %s to %d: check that the migration covers every line below, "+
			"then regenerate this file with %s=1 go test ./x/%s/keeper -run TestStoreSchema.", v, consensusVersion, UpdateEnv, module)
	}
	return fmt.Sprintf("x/%s store layout differs from %s.\n%s\n%s", module, Path, advice, diff(want, got))
}

func goldenVersion(golden string) string {
	first, _, _ := strings.Cut(golden, "\n")
	_, v, ok := strings.Cut(first, "ConsensusVersion ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(v)
}

// diff lists the lines only in want (-) and only in got (+), in order.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for _, l := range w {
		if !slices.Contains(g, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
