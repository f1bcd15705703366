package evaluator

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrTampered: the report channel carried something the harness never writes (a
// line out of protocol, a bad MAC, an unknown or repeated test id). Only code
// that reached the channel can do that, so the whole patch scores 0.
var ErrTampered = errors.New("result channel tampered with")

// report is the host's end of one run's result channel. It reads the lines of
// the report descriptor: "B" (the script's: binaries built, send the key), then
// "R <id> <P|F> <hex hmac-sha256(key, "R <id> <P|F>")>" per hidden test.
type report struct {
	tests  int            // hidden tests: ids are 0..tests-1
	key    []byte         // chosen when "B" arrives, after the build
	sendTo io.WriteCloser // the key descriptor's write end
	passed map[int]bool   // id → verdict, each id at most once
	err    error          // first protocol violation
}

// maxReportLine bounds one line; a harness line is ~80 bytes.
const maxReportLine = 256

func newReport(tests int, keyOut io.WriteCloser) *report {
	return &report{tests: tests, sendTo: keyOut, passed: map[int]bool{}}
}

// read consumes the channel until EOF (the run ended and the host closed its copy
// of the write end). It never returns early, so the writer never blocks on a full
// pipe; after a violation it only drains.
func (r *report) read(in io.Reader) {
	defer r.closeKey()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, maxReportLine), maxReportLine)
	lines := 0
	for sc.Scan() {
		lines++
		if r.err != nil {
			continue
		}
		if lines > r.tests+1 {
			r.err = fmt.Errorf("%w: more lines than hidden tests", ErrTampered)
			continue
		}
		r.err = r.line(sc.Text())
	}
	if err := sc.Err(); err != nil && r.err == nil {
		r.err = fmt.Errorf("%w: %v", ErrTampered, err)
		_, _ = io.Copy(io.Discard, in)
	}
}

func (r *report) line(l string) error {
	if l == "B" {
		if r.key != nil {
			return fmt.Errorf("%w: second build marker", ErrTampered)
		}
		r.key = make([]byte, 32)
		if _, err := rand.Read(r.key); err != nil {
			return err
		}
		// A failed write means the script is gone (killed by a limit): nothing
		// will be reported, which scores what was reported so far.
		_, _ = io.WriteString(r.sendTo, hex.EncodeToString(r.key)+"\n")
		r.closeKey()
		return nil
	}
	f := strings.Split(l, " ")
	if len(f) != 4 || f[0] != "R" || (f[2] != "P" && f[2] != "F") {
		return fmt.Errorf("%w: line %.40q", ErrTampered, l)
	}
	if r.key == nil {
		return fmt.Errorf("%w: a result before the build marker", ErrTampered)
	}
	id, err := strconv.Atoi(f[1])
	if err != nil || id < 0 || id >= r.tests || strconv.Itoa(id) != f[1] {
		return fmt.Errorf("%w: unknown test id %.20q", ErrTampered, f[1])
	}
	got, err := hex.DecodeString(f[3])
	if err != nil || !hmac.Equal(got, reportMAC(r.key, id, f[2])) {
		return fmt.Errorf("%w: bad MAC for test %d", ErrTampered, id)
	}
	if _, dup := r.passed[id]; dup {
		return fmt.Errorf("%w: test %d reported twice", ErrTampered, id)
	}
	r.passed[id] = f[2] == "P"
	return nil
}

func (r *report) closeKey() {
	if r.sendTo != nil {
		_ = r.sendTo.Close()
		r.sendTo = nil
	}
}

// reportMAC is the harness's MAC of one verdict.
func reportMAC(key []byte, id int, verdict string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("R " + strconv.Itoa(id) + " " + verdict))
	return m.Sum(nil)
}

// count is the number of hidden tests reported passed, and the number reported.
func (r *report) count() (passed, reported int) {
	for _, ok := range r.passed {
		if ok {
			passed++
		}
	}
	return passed, len(r.passed)
}
