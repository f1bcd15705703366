package gguf

import (
	"errors"
	"fmt"
	"math"
)

// ErrMissing is wrapped by the getters' error when a key is absent, so
// callers can tell an optional key's absence from a wrong type.
var ErrMissing = errors.New("missing")

// Has reports whether the metadata holds key.
func (f *File) Has(key string) bool { _, ok := f.kv[key]; return ok }

// Value returns a metadata value as KV.Value holds it.
func (f *File) Value(key string) (any, bool) {
	i, ok := f.kv[key]
	if !ok {
		return nil, false
	}
	return f.KVs[i].Value, true
}

func (f *File) get(key string) (any, error) {
	v, ok := f.Value(key)
	if !ok {
		return nil, fmt.Errorf("%s: metadata %s: %w", f.name(), key, ErrMissing)
	}
	return v, nil
}

func (f *File) typeErr(key string, v any, want string) error {
	t, _ := TypeOf(v)
	if a, ok := v.(Array); ok {
		return fmt.Errorf("%s: metadata %s is an array of %s, want %s", f.name(), key, a.Elem, want)
	}
	return fmt.Errorf("%s: metadata %s is a %s (%v), want %s", f.name(), key, t, v, want)
}

func asUint(v any) (uint64, error) {
	switch x := v.(type) {
	case uint8:
		return uint64(x), nil
	case uint16:
		return uint64(x), nil
	case uint32:
		return uint64(x), nil
	case uint64:
		return x, nil
	case int8, int16, int32, int64:
		i, _ := asInt(x)
		if i < 0 {
			return 0, fmt.Errorf("negative")
		}
		return uint64(i), nil
	}
	return 0, fmt.Errorf("not an integer")
}

func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint8, uint16, uint32, uint64:
		u, _ := asUint(x)
		if u > math.MaxInt64 {
			return 0, fmt.Errorf("too large")
		}
		return int64(u), nil
	}
	return 0, fmt.Errorf("not an integer")
}

// Uint reads a non-negative integer of any integer type.
func (f *File) Uint(key string) (uint64, error) {
	v, err := f.get(key)
	if err != nil {
		return 0, err
	}
	u, err := asUint(v)
	if err != nil {
		return 0, f.typeErr(key, v, "a non-negative integer")
	}
	return u, nil
}

// Int reads an integer of any integer type that fits an int64.
func (f *File) Int(key string) (int64, error) {
	v, err := f.get(key)
	if err != nil {
		return 0, err
	}
	i, err := asInt(v)
	if err != nil {
		return 0, f.typeErr(key, v, "an integer")
	}
	return i, nil
}

// Float reads a float32 or float64 value as float64.
func (f *File) Float(key string) (float64, error) {
	v, err := f.get(key)
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return 0, f.typeErr(key, v, "a float")
}

// Bool reads a bool value.
func (f *File) Bool(key string) (bool, error) {
	v, err := f.get(key)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, f.typeErr(key, v, "a bool")
	}
	return b, nil
}

// String reads a string value.
func (f *File) String(key string) (string, error) {
	v, err := f.get(key)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", f.typeErr(key, v, "a string")
	}
	return s, nil
}

// Strings reads an array of strings.
func (f *File) Strings(key string) ([]string, error) {
	v, err := f.get(key)
	if err != nil {
		return nil, err
	}
	if a, ok := v.(Array); ok {
		if s, ok := a.Values.([]string); ok {
			return s, nil
		}
	}
	return nil, f.typeErr(key, v, "an array of strings")
}

// Float32s reads an array of float32.
func (f *File) Float32s(key string) ([]float32, error) {
	v, err := f.get(key)
	if err != nil {
		return nil, err
	}
	if a, ok := v.(Array); ok {
		if s, ok := a.Values.([]float32); ok {
			return s, nil
		}
	}
	return nil, f.typeErr(key, v, "an array of float32")
}

// Int32s reads an array of int32 (uint32 elements that fit are accepted too).
func (f *File) Int32s(key string) ([]int32, error) {
	v, err := f.get(key)
	if err != nil {
		return nil, err
	}
	if a, ok := v.(Array); ok {
		switch s := a.Values.(type) {
		case []int32:
			return s, nil
		case []uint32:
			out := make([]int32, len(s))
			for i, x := range s {
				if x > math.MaxInt32 {
					return nil, fmt.Errorf("%s: metadata %s[%d] = %d does not fit an int32", f.name(), key, i, x)
				}
				out[i] = int32(x)
			}
			return out, nil
		}
	}
	return nil, f.typeErr(key, v, "an array of int32")
}
