package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/quant"
)

// The tests build files with their own encoder (below), written from
// docs/gguf.md independently of Writer, so reader and writer are each
// checked against the format and not only against each other.

type tkv struct {
	key string
	typ uint32
	raw []byte // encoded value
}

type tten struct {
	name string
	dims []uint64
	typ  uint32
	off  uint64
}

type tfile struct {
	magic   string
	version uint32
	nT, nKV int64 // -1: the real counts
	kvs     []tkv
	ts      []tten
	align   int
	data    []byte
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func gstr(s string) []byte { return append(le64(uint64(len(s))), s...) }

func (f tfile) bytes() []byte {
	var b []byte
	b = append(b, f.magic...)
	b = append(b, le32(f.version)...)
	nT, nKV := uint64(len(f.ts)), uint64(len(f.kvs))
	if f.nT >= 0 {
		nT = uint64(f.nT)
	}
	if f.nKV >= 0 {
		nKV = uint64(f.nKV)
	}
	b = append(b, le64(nT)...)
	b = append(b, le64(nKV)...)
	for _, kv := range f.kvs {
		b = append(b, gstr(kv.key)...)
		b = append(b, le32(kv.typ)...)
		b = append(b, kv.raw...)
	}
	for _, t := range f.ts {
		b = append(b, gstr(t.name)...)
		b = append(b, le32(uint32(len(t.dims)))...)
		for _, d := range t.dims {
			b = append(b, le64(d)...)
		}
		b = append(b, le32(t.typ)...)
		b = append(b, le64(t.off)...)
	}
	for len(b)%f.align != 0 {
		b = append(b, 0)
	}
	return append(b, f.data...)
}

// valid is a small well-formed file: two metadata entries and two tensors
// (an F32 4x2 at 0, a Q8_0 32x2 at 32).
func valid() tfile {
	data := make([]byte, 32+68)
	for i := range data {
		data[i] = byte(i)
	}
	return tfile{
		magic: "GGUF", version: 3, nT: -1, nKV: -1, align: 32,
		kvs: []tkv{
			{"general.architecture", 8, gstr("llama")},
			{"llama.block_count", 4, le32(2)},
		},
		ts: []tten{
			{"a", []uint64{4, 2}, 0, 0},
			{"b", []uint64{32, 2}, 8, 32},
		},
		data: data,
	}
}

func parseBytes(b []byte) (*File, error) { return Parse(bytes.NewReader(b), int64(len(b))) }

func TestValidFile(t *testing.T) {
	f, err := parseBytes(valid().bytes())
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 3 || len(f.KVs) != 2 || len(f.Tensors) != 2 || f.Alignment != 32 {
		t.Fatalf("parsed %+v", f)
	}
	if s, err := f.String("general.architecture"); err != nil || s != "llama" {
		t.Fatalf("architecture %q %v", s, err)
	}
	b, _ := f.Tensor("b")
	if b.Type != quant.Q8_0 || !reflect.DeepEqual(b.Dims, []int{32, 2}) || b.Size != 68 || b.Rows() != 2 || b.RowBytes() != 34 {
		t.Fatalf("tensor b %+v", b)
	}
	data, err := f.TensorBytes("b")
	if err != nil || len(data) != 68 || data[0] != 32 || data[67] != 99 {
		t.Fatalf("tensor b bytes %v %v", data, err)
	}
	if _, err := f.TensorBytes("zz"); err == nil || !strings.Contains(err.Error(), "no tensor zz") {
		t.Fatalf("missing tensor: %v", err)
	}
	// Version 2 has the same layout.
	v2 := valid()
	v2.version = 2
	if _, err := parseBytes(v2.bytes()); err != nil {
		t.Fatalf("version 2: %v", err)
	}
}

func TestMalformed(t *testing.T) {
	type mut func(f *tfile) []byte
	enc := func(m func(f *tfile)) mut { return func(f *tfile) []byte { m(f); return f.bytes() } }
	cut := func(n int) mut { return func(f *tfile) []byte { b := f.bytes(); return b[:n] } }
	headerLen := len(valid().bytes()) - 100
	cases := []struct {
		name string
		m    mut
		want string
	}{
		{"bad magic", enc(func(f *tfile) { f.magic = "GGML" }), `bad magic "GGML"`},
		{"empty", cut(0), "truncated in the magic"},
		{"version 1", enc(func(f *tfile) { f.version = 1 }), "version 1 is not supported"},
		{"version 4", enc(func(f *tfile) { f.version = 4 }), "unsupported version 4"},
		{"big endian", enc(func(f *tfile) { f.version = 3 << 24 }), "big-endian"},
		{"truncated header", cut(6), "truncated in the version"},
		{"truncated counts", cut(20), "truncated in the metadata count"},
		{"absurd kv count", enc(func(f *tfile) { f.nKV = 1 << 40 }), "metadata count 1099511627776 is absurd"},
		{"absurd tensor count", enc(func(f *tfile) { f.nT = 1 << 40 }), "tensor count 1099511627776 is absurd"},
		{"truncated metadata", func(f *tfile) []byte { f.ts = nil; return f.bytes()[:24+8+20+4+3] }, "truncated in metadata general.architecture"},
		{"key length past end", enc(func(f *tfile) { f.kvs[0].key = ""; f.kvs = f.kvs[:1]; f.kvs[0].raw = gstr("x") }), "metadata key 0 is empty"},
		{"string length absurd", enc(func(f *tfile) { f.kvs[0].raw = le64(1 << 62) }), "string length 4611686018427387904 is beyond"},
		{"array length absurd", enc(func(f *tfile) {
			f.kvs[0] = tkv{"a", 9, append(le32(4), le64(1<<50)...)}
		}), "array length 1125899906842624 is beyond"},
		{"string array length absurd", enc(func(f *tfile) {
			f.kvs[0] = tkv{"a", 9, append(le32(8), le64(1<<20)...)}
		}), "array length 1048576 is beyond"},
		{"array of arrays", enc(func(f *tfile) { f.kvs[0] = tkv{"a", 9, append(le32(9), le64(0)...)} }), "arrays of arrays"},
		{"array element type unknown", enc(func(f *tfile) { f.kvs[0] = tkv{"a", 9, append(le32(13), le64(0)...)} }), "unknown array element type 13"},
		{"value type unknown", enc(func(f *tfile) { f.kvs[0] = tkv{"a", 13, le32(0)} }), "unknown value type 13"},
		{"bool not 0/1", enc(func(f *tfile) { f.kvs[0] = tkv{"a", 7, []byte{2}} }), "bool byte 2"},
		{"bool array not 0/1", enc(func(f *tfile) { f.kvs[0] = tkv{"a", 9, append(append(le32(7), le64(2)...), 1, 5)} }), "a[1]: bool byte 5"},
		{"duplicate key", enc(func(f *tfile) { f.kvs[1].key = f.kvs[0].key }), "general.architecture appears twice"},
		{"alignment zero", enc(func(f *tfile) { f.kvs[1] = tkv{KeyAlignment, 4, le32(0)} }), "general.alignment = 0 is not a power of two"},
		{"alignment not power of two", enc(func(f *tfile) { f.kvs[1] = tkv{KeyAlignment, 4, le32(48)} }), "general.alignment = 48"},
		{"alignment a string", enc(func(f *tfile) { f.kvs[1] = tkv{KeyAlignment, 8, gstr("32")} }), "general.alignment = 32 is not"},
		{"tensor name empty", enc(func(f *tfile) { f.ts[0].name = "" }), "tensor 0 has an empty name"},
		{"tensor name too long", enc(func(f *tfile) { f.ts[0].name = strings.Repeat("x", MaxNameLen+1) }), "tensor 0's name: string length 257"},
		{"duplicate tensor", enc(func(f *tfile) { f.ts[1].name = "a" }), "tensor a appears twice"},
		{"five dims", enc(func(f *tfile) { f.ts[0].dims = []uint64{1, 1, 1, 1, 8} }), "tensor a has 5 dimensions"},
		{"zero dims", enc(func(f *tfile) { f.ts[0].dims = nil }), "tensor a has 0 dimensions"},
		{"dim zero", enc(func(f *tfile) { f.ts[0].dims = []uint64{8, 0} }), "tensor a: dimension 1 is 0"},
		{"element overflow", enc(func(f *tfile) { f.ts[0].dims = []uint64{1 << 30, 1 << 30, 1 << 30} }), "overflow the limit"},
		{"unknown ggml type", enc(func(f *tfile) { f.ts[1].typ = 13; f.ts[1].dims = []uint64{256, 1} }),
			"tensor b has ggml type 13 (Q5_K), which the engine does not support"},
		{"ggml type beyond ggml", enc(func(f *tfile) { f.ts[1].typ = 1000 }), "ggml type 1000 (type(1000))"},
		{"partial block row", enc(func(f *tfile) { f.ts[1].dims = []uint64{33, 2} }), "tensor b: Q8_0 rows hold whole blocks of 32 elements, row length 33"},
		{"offset not aligned", enc(func(f *tfile) { f.ts[1].off = 16 }), "tensor b: offset 16 is not a multiple of the alignment 32"},
		{"overlap", enc(func(f *tfile) { f.ts[0].dims = []uint64{16, 2}; f.data = make([]byte, 200) }), "tensors a [0, 128) and b [32, 100) overlap"},
		{"past the end", enc(func(f *tfile) { f.ts[1].off = 64 }), "tensor b: bytes [64, 132) of the data section run past its end (100 bytes"},
		{"offset past the file", enc(func(f *tfile) { f.ts[1].off = 1 << 60 }), "offset 1152921504606846976 is past the end"},
		{"truncated tensor infos", cut(headerLen - 20), "truncated in tensor b's"},
		{"truncated data", cut(headerLen + 90), "bytes [32, 100) of the data section run past its end (90 bytes"},
		{"no data section", cut(headerLen - 5), "before its data section"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := valid()
			b := c.m(&f)
			_, err := parseBytes(b)
			if err == nil {
				t.Fatalf("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestOpenNamesThePath(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.gguf")
	os.WriteFile(p, []byte("GGML...."), 0o644)
	_, err := Open(p)
	if err == nil || !strings.Contains(err.Error(), p) || !errors.Is(err, ErrFormat) {
		t.Fatalf("error %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing.gguf")); err == nil {
		t.Fatal("opened a missing file")
	}
}

// TestRoundTrip writes every metadata type and every tensor type with the
// Writer, reads it back and compares; the header bytes are also checked
// against the format by hand.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	kvs := []KV{
		{KeyAlignment, uint32(64)},
		{"u8", uint8(200)}, {"i8", int8(-5)}, {"u16", uint16(60000)}, {"i16", int16(-300)},
		{"u32", uint32(4000000000)}, {"i32", int32(-7)}, {"f32", float32(1.5e-6)}, {"b", true},
		{"s", "héllo"}, {"u64", uint64(1 << 60)}, {"i64", int64(-1 << 40)}, {"f64", math.Pi},
		{"as", Array{TypeString, []string{"a", "", "ccc"}}},
		{"af32", Array{TypeFloat32, []float32{1, -2.5}}},
		{"ai32", Array{TypeInt32, []int32{-1, 5}}},
		{"au8", Array{TypeUint8, []uint8{1, 2, 3}}},
		{"ai8", Array{TypeInt8, []int8{-1}}},
		{"au16", Array{TypeUint16, []uint16{9}}},
		{"ai16", Array{TypeInt16, []int16{-9}}},
		{"au32", Array{TypeUint32, []uint32{7, 8}}},
		{"ab", Array{TypeBool, []bool{true, false}}},
		{"au64", Array{TypeUint64, []uint64{1 << 63}}},
		{"ai64", Array{TypeInt64, []int64{-1}}},
		{"af64", Array{TypeFloat64, []float64{0.25}}},
		{"empty", Array{TypeFloat32, []float32{}}},
	}
	w := NewWriter()
	for _, kv := range kvs {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	type tin struct {
		name string
		typ  quant.Type
		dims []int
	}
	tins := []tin{
		{"f32", quant.F32, []int{3}}, {"f16", quant.F16, []int{5, 3}}, {"bf16", quant.BF16, []int{2, 2, 2}},
		{"q8", quant.Q8_0, []int{64, 3}}, {"q4", quant.Q4_0, []int{32, 1, 1, 2}},
		{"q4k", quant.Q4_K, []int{256, 2}}, {"q6k", quant.Q6_K, []int{512, 1}},
	}
	datas := map[string][]byte{}
	for _, ti := range tins {
		if err := w.AddTensor(ti.name, ti.typ, ti.dims...); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := w.WriteHeader(&buf); err != nil {
		t.Fatal(err)
	}
	for _, ti := range w.Tensors() {
		d := make([]byte, ti.Size)
		for i := range d {
			d[i] = byte(r.Uint32())
		}
		datas[ti.Name] = d
		if err := w.WriteTensor(ti.Name, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if int64(len(b)) != w.Size() {
		t.Fatalf("wrote %d bytes, Size says %d", len(b), w.Size())
	}
	// Header by hand: magic, version 3, tensor count, kv count, then the
	// first key "general.alignment" as a uint32 (type 4) of 64.
	want := append([]byte("GGUF"), le32(3)...)
	want = append(want, le64(uint64(len(tins)))...)
	want = append(want, le64(uint64(len(kvs)))...)
	want = append(want, gstr(KeyAlignment)...)
	want = append(want, le32(4)...)
	want = append(want, le32(64)...)
	if !bytes.Equal(b[:len(want)], want) {
		t.Fatalf("header % x\nwant   % x", b[:len(want)], want)
	}
	f, err := parseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.KVs, kvs) {
		t.Fatalf("metadata\n got %#v\nwant %#v", f.KVs, kvs)
	}
	if f.Alignment != 64 || f.DataOffset%64 != 0 {
		t.Fatalf("alignment %d data offset %d", f.Alignment, f.DataOffset)
	}
	for i, ti := range tins {
		got := f.Tensors[i]
		if got.Name != ti.name || got.Type != ti.typ || !reflect.DeepEqual(got.Dims, ti.dims) || got.Offset%64 != 0 {
			t.Fatalf("tensor %d: %+v, want %+v", i, got, ti)
		}
		d, err := f.TensorBytes(ti.name)
		if err != nil || !bytes.Equal(d, datas[ti.name]) {
			t.Fatalf("tensor %s bytes differ (%v)", ti.name, err)
		}
	}
	// The same file through Open from disk.
	p := filepath.Join(t.TempDir(), "m.gguf")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	d, err := g.TensorBytes("q6k")
	if err != nil || !bytes.Equal(d, datas["q6k"]) {
		t.Fatalf("q6k from disk: %v", err)
	}
	g.Close()
	if _, err := g.TensorBytes("q6k"); err == nil {
		t.Fatal("read after Close")
	}
}

func TestGetters(t *testing.T) {
	w := NewWriter()
	for _, kv := range []KV{{"u", uint32(7)}, {"i", int8(-2)}, {"f", float32(0.5)}, {"s", "x"}, {"b", false},
		{"ss", []string{"a"}}, {"fs", []float32{1}}, {"is", []int32{-3}}, {"us", []uint32{3, 1 << 31}}, {"us2", []uint32{3}}} {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	w.WriteHeader(&buf)
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	f, err := parseBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if u, err := f.Uint("u"); u != 7 || err != nil {
		t.Fatal(u, err)
	}
	if i, err := f.Int("i"); i != -2 || err != nil {
		t.Fatal(i, err)
	}
	if _, err := f.Uint("i"); err == nil || !strings.Contains(err.Error(), "metadata i is a int8 (-2), want a non-negative integer") {
		t.Fatal(err)
	}
	if x, err := f.Float("f"); x != 0.5 || err != nil {
		t.Fatal(x, err)
	}
	if _, err := f.Float("s"); err == nil || !strings.Contains(err.Error(), "metadata s is a string") {
		t.Fatal(err)
	}
	if _, err := f.String("missing"); !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "metadata missing") {
		t.Fatal(err)
	}
	if b, err := f.Bool("b"); b || err != nil {
		t.Fatal(b, err)
	}
	if _, err := f.Bool("u"); err == nil {
		t.Fatal("Bool of a uint32")
	}
	if s, err := f.Strings("ss"); len(s) != 1 || err != nil {
		t.Fatal(s, err)
	}
	if _, err := f.Strings("fs"); err == nil || !strings.Contains(err.Error(), "metadata fs is an array of float32, want an array of strings") {
		t.Fatal(err)
	}
	if v, err := f.Float32s("fs"); len(v) != 1 || err != nil {
		t.Fatal(v, err)
	}
	if v, err := f.Int32s("is"); len(v) != 1 || v[0] != -3 || err != nil {
		t.Fatal(v, err)
	}
	if v, err := f.Int32s("us2"); len(v) != 1 || v[0] != 3 || err != nil {
		t.Fatal(v, err)
	}
	if _, err := f.Int32s("us"); err == nil || !strings.Contains(err.Error(), "us[1] = 2147483648 does not fit") {
		t.Fatal(err)
	}
}

func TestWriterRefusals(t *testing.T) {
	w := NewWriter()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	refuse := func(err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v, want %q", err, want)
		}
	}
	must(w.Set("a", "x"))
	refuse(w.Set("a", "y"), "set twice")
	refuse(w.Set("n", 5), "Go int has no GGUF type")
	refuse(w.Set("m", map[string]int{}), "has no GGUF type")
	refuse(w.Set("arr", Array{TypeFloat32, []int32{1}}), "holds []int32")
	refuse(w.Set(KeyAlignment, uint32(3)), "power of two")
	refuse(w.Set(KeyAlignment, uint64(32)), "must be a uint32")
	must(w.AddTensor("t", quant.F32, 2))
	refuse(w.Set(KeyAlignment, uint32(64)), "before adding tensors")
	refuse(w.AddTensor("t", quant.F32, 2), "added twice")
	refuse(w.AddTensor("q", quant.Q8_0, 31), "whole blocks")
	refuse(w.AddTensor("z", quant.F32, 2, 0), "dimension 1 is 0")
	refuse(w.AddTensor("u", quant.Type(13), 256), "ggml type 13 (Q5_K)")
	must(w.AddTensor("t2", quant.F16, 2))
	var buf bytes.Buffer
	refuse(w.WriteTensor("t", make([]byte, 8)), "before WriteHeader")
	must(w.WriteHeader(&buf))
	refuse(w.Set("late", "x"), "after WriteHeader")
	refuse(w.WriteTensor("t2", make([]byte, 4)), "t2 written where t is next")
	refuse(w.WriteTensor("t", make([]byte, 7)), "7 bytes, want 8")
	must(w.WriteTensor("t", make([]byte, 8)))
	refuse(w.Finish(), "1 of 2 tensors written (next: t2)")
	must(w.WriteTensor("t2", make([]byte, 4)))
	refuse(w.WriteTensor("t3", nil), "all 2 declared tensors are written")
	must(w.Finish())
	if _, err := parseBytes(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
}
