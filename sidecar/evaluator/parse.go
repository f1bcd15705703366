package evaluator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// Counts are the tests a runner reported.
type Counts struct {
	Passed, Run int
	Format      string // "go-json", "go-verbose" or "pytest"
}

// ErrNoTestOutput: the output holds no result the parsers recognise (the run
// crashed before any test, or the command is not a supported runner).
var ErrNoTestOutput = errors.New("no test results in the output")

// ParseTestOutput counts passed and run tests in a runner's output: `go test
// -json`, `go test -v`, or pytest's summary line, whichever is present (in that
// order). Skipped tests are not run. A Go package that fails without a failing
// test (build failure, crash in init, os.Exit) counts as one failed test, so a
// patch cannot shrink the denominator by breaking a package.
func ParseTestOutput(out []byte) (Counts, error) {
	if c, ok := ParseGoJSON(out); ok {
		return c, nil
	}
	if c, ok := ParsePytest(out); ok {
		return c, nil
	}
	if c, ok := ParseGoVerbose(out); ok {
		return c, nil
	}
	return Counts{}, ErrNoTestOutput
}

type goEvent struct {
	Action  string
	Package string
	Test    string
}

// ParseGoJSON reads `go test -json` events. Lines that are not JSON events (the
// command's own prints, build output of older Go versions) are ignored; ok is
// false when no test or package result was seen.
func ParseGoJSON(out []byte) (Counts, bool) {
	c := Counts{Format: "go-json"}
	seen := false
	failedTests := map[string]int{} // package → failed tests
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var ev goEvent
		if json.Unmarshal(line, &ev) != nil {
			continue
		}
		switch ev.Action {
		case "pass", "fail":
		default:
			continue
		}
		if ev.Test != "" {
			seen = true
			c.Run++
			if ev.Action == "pass" {
				c.Passed++
			} else {
				failedTests[ev.Package]++
			}
			continue
		}
		if ev.Package == "" {
			continue
		}
		seen = true
		if ev.Action == "fail" && failedTests[ev.Package] == 0 {
			c.Run++ // build failure or a crash outside any test
		}
	}
	return c, seen
}

var (
	goVerboseRe = regexp.MustCompile(`^\s*--- (PASS|FAIL): \S`)
	goPkgFailRe = regexp.MustCompile(`^FAIL\s+\S+\s+\[(build|setup) failed\]`)
	pytestLine  = regexp.MustCompile(`^=*\s*((?:\d+ \w+(?:, )?)+)\s+in [0-9.]+s`)
	pytestCount = regexp.MustCompile(`(\d+) (\w+)`)
	pytestNone  = regexp.MustCompile(`^=*\s*no tests ran\b`)
)

// ParseGoVerbose counts `--- PASS:` and `--- FAIL:` lines (subtests included)
// and `FAIL pkg [build failed]` lines (one failed test each).
func ParseGoVerbose(out []byte) (Counts, bool) {
	c := Counts{Format: "go-verbose"}
	seen := false
	for _, line := range strings.Split(string(out), "\n") {
		if m := goVerboseRe.FindStringSubmatch(line); m != nil {
			seen = true
			c.Run++
			if m[1] == "PASS" {
				c.Passed++
			}
		} else if goPkgFailRe.MatchString(line) {
			seen = true
			c.Run++
		}
	}
	return c, seen
}

// ParsePytest reads the last pytest summary line ("3 failed, 5 passed, 1 skipped
// in 0.12s", with or without the ===== frame). Run = passed + failed + errors.
func ParsePytest(out []byte) (Counts, bool) {
	lines := strings.Split(string(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if pytestNone.MatchString(line) {
			return Counts{Format: "pytest"}, true
		}
		m := pytestLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		c := Counts{Format: "pytest"}
		for _, kv := range pytestCount.FindAllStringSubmatch(m[1], -1) {
			n, err := strconv.Atoi(kv[1])
			if err != nil || n > 1<<30 {
				return Counts{}, false
			}
			switch kv[2] {
			case "passed":
				c.Passed += n
				c.Run += n
			case "failed", "error", "errors":
				c.Run += n
			}
		}
		return c, true
	}
	return Counts{}, false
}
