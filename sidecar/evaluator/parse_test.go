package evaluator

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseTestOutput(t *testing.T) {
	goJSON := `{"Action":"start","Package":"m/a"}
{"Action":"run","Package":"m/a","Test":"TestMax"}
{"Action":"output","Package":"m/a","Test":"TestMax","Output":"--- PASS: TestFake (0.00s)\n"}
{"Action":"pass","Package":"m/a","Test":"TestMax","Elapsed":0}
{"Action":"pass","Package":"m/a","Test":"TestMax2/a","Elapsed":0}
{"Action":"fail","Package":"m/a","Test":"TestMax2/b","Elapsed":0}
{"Action":"fail","Package":"m/a","Test":"TestMax2","Elapsed":0}
{"Action":"skip","Package":"m/a","Test":"TestSkip","Elapsed":0}
{"Action":"fail","Package":"m/a","Elapsed":0.035}
`
	goJSONBuildFail := `{"ImportPath":"m/b [m/b.test]","Action":"build-output","Output":"b.go:2: bad\n"}
{"ImportPath":"m/b [m/b.test]","Action":"build-fail"}
{"Action":"start","Package":"m/b"}
{"Action":"fail","Package":"m/b","Elapsed":0,"FailedBuild":"m/b [m/b.test]"}
{"Action":"pass","Package":"m/c","Test":"TestC","Elapsed":0}
{"Action":"pass","Package":"m/c","Elapsed":0}
`
	goJSONCrash := `{"Action":"pass","Package":"m/a","Test":"TestA","Elapsed":0}
not json from the program
{"Action":"output","Package":"m/a","Output":"exit status 3\n"}
{"Action":"fail","Package":"m/a","Elapsed":0}
`
	goVerbose := `=== RUN   TestMax
--- PASS: TestMax (0.00s)
=== RUN   TestMax2
--- FAIL: TestMax2 (0.00s)
    --- PASS: TestMax2/a (0.00s)
    --- FAIL: TestMax2/b (0.00s)
--- SKIP: TestSkip (0.00s)
FAIL	m/a	0.095s
FAIL	m/broken [build failed]
FAIL
`
	cases := []struct {
		name        string
		out         string
		format      string
		passed, run int
		err         bool
	}{
		{"go json with subtests and skip", goJSON, "go-json", 2, 4, false},
		{"go json build failure counts one", goJSONBuildFail, "go-json", 1, 2, false},
		{"go json package crash after passes", goJSONCrash, "go-json", 1, 2, false},
		{"go json all pass", `{"Action":"pass","Package":"m","Test":"T1"}` + "\n" + `{"Action":"pass","Package":"m","Test":"T2"}` + "\n" + `{"Action":"pass","Package":"m"}`, "go-json", 2, 2, false},
		{"go verbose", goVerbose, "go-verbose", 2, 5, false},
		{"pytest framed", "collected 9 items\n\n...\n===== 3 failed, 5 passed, 1 skipped in 0.12s =====\n", "pytest", 5, 8, false},
		{"pytest quiet", "..F\n2 passed, 1 failed in 0.01s\n", "pytest", 2, 3, false},
		{"pytest errors", "==== 1 passed, 2 errors in 1.50s ====", "pytest", 1, 3, false},
		{"pytest warnings ignored", "=== 4 passed, 3 warnings in 0.20s ===", "pytest", 4, 4, false},
		{"pytest no tests", "===== no tests ran in 0.01s =====", "pytest", 0, 0, false},
		{"pytest last summary wins", "1 passed in 0.1s\n2 failed in 0.2s\n", "pytest", 0, 2, false},
		{"nothing", "ok  \tm\t0.01s\n", "", 0, 0, true},
		{"empty", "", "", 0, 0, true},
		{"bad json ignored", "{not json\n{\"Action\":\"pass\"}\n", "", 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseTestOutput([]byte(tc.out))
			if tc.err {
				require.ErrorIs(t, err, ErrNoTestOutput)
				return
			}
			require.NoError(t, err)
			require.Equal(t, Counts{Passed: tc.passed, Run: tc.run, Format: tc.format}, c)
		})
	}
}

func TestScoreBps(t *testing.T) {
	cases := []struct {
		passed, run, baselineRun int
		want                     uint32
	}{
		{0, 0, 0, 0},
		{3, 3, 0, 10000},
		{2, 3, 3, 6666},
		{1, 3, 0, 3333},
		{2, 2, 4, 5000}, // fewer tests ran than the baseline: the baseline is the denominator
		{5, 3, 0, 10000},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, scoreBps(tc.passed, tc.run, tc.baselineRun), "%+v", tc)
	}
}
