package router

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The router's overhead of task rates and budgets: the admission of one chat (3
// tasks) with no limits, and with a task rate and all four budgets on (limits high
// enough that nothing is refused, so every window is checked and charged). Figures
// in docs/performance.md.
//
//	go test ./sidecar/router -run '^$' -bench 'Admission|Handler' -benchmem
func benchLimits(on bool) Config {
	if !on {
		return Config{}
	}
	const high = 1 << 62
	return Config{TaskRatePerMinute: 1 << 30, TaskBurst: 1 << 30,
		Budgets: Budgets{KeyPerMinute: high, KeyPerDay: high, GlobalPerMinute: high, GlobalPerDay: high}}
}

func BenchmarkAdmission(b *testing.B) {
	for _, c := range []struct {
		name     string
		on       bool
		release  bool
		parallel bool
	}{
		{"none", false, false, false},
		{"budgets", true, false, false},
		{"budgets-released", true, true, false},
		{"none-parallel", false, false, true},
		{"budgets-parallel", true, false, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			f := newFakeRouter(b, benchLimits(c.on))
			f.now = time.Now
			ctx := withKey(context.Background(), "sk-a")
			once := func() {
				tk, e := f.admit(ctx, 1)
				if e != nil {
					b.Fatal(e)
				}
				if c.release {
					tk.release()
				} else {
					tk.commit()
				}
			}
			b.ReportAllocs()
			if c.parallel {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						once()
					}
				})
				return
			}
			for b.Loop() {
				once()
			}
		})
	}
}

// BenchmarkHandler is a whole chat request through the handler on the fake chain
// (which answers at once): the router's own CPU per request, with and without limits.
func BenchmarkHandler(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "none"
		if on {
			name = "budgets"
		}
		b.Run(name, func(b *testing.B) {
			f := newFakeRouter(b, benchLimits(on))
			f.now = time.Now
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(chatBody))
				req.Header.Set("Authorization", "Bearer sk-a")
				rec := httptest.NewRecorder()
				f.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code, rec.Body.String())
				}
			}
		})
	}
}
