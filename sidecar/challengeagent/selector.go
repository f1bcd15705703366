package challengeagent

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Selector answers a context-selection challenge (TASK_TYPE_CONTEXT_SELECTION): given the
// prepared work folder (see the package doc), the repository-relative paths of the files
// that matter to the problem. The agent sorts them, drops duplicates, checks them against
// the chain's rule and commits to their canonical encoding.
type Selector interface {
	Select(ctx context.Context, dir string) ([]string, error)
}

// GrepSelector is the built-in selector: it takes the identifiers of the problem
// statement (code spans first, else Go-looking words), and answers the non-test Go
// files that declare them (func, method, type, var, const); when none declares any, the
// files that mention them. Deterministic: the same repository and statement give the
// same answer.
type GrepSelector struct {
	// MaxFiles bounds the answer (default 32, the chain's default max_answer_files).
	MaxFiles int
	// MaxFileBytes: larger files are not read (default 1 MiB).
	MaxFileBytes int64
}

var (
	codeSpan = regexp.MustCompile("`([^`\n]+)`")
	// a Go-looking word: an exported name, or a name with an underscore or a dot
	goWord = regexp.MustCompile(`\b([A-Z][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?|[a-z][A-Za-z0-9]*_[A-Za-z0-9_]+)\b`)
	ident  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Identifiers returns the identifiers a statement names, in first-seen order: those of
// its code spans (a span "T.Method" gives T and Method), or, without code spans, its
// Go-looking words.
func Identifiers(statement string) []string {
	var raw []string
	for _, m := range codeSpan.FindAllStringSubmatch(statement, -1) {
		raw = append(raw, m[1])
	}
	if len(raw) == 0 {
		for _, m := range goWord.FindAllStringSubmatch(statement, -1) {
			raw = append(raw, m[1])
		}
	}
	var out []string
	for _, r := range raw {
		r = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(r), "*"), "()")
		for _, part := range strings.Split(r, ".") {
			if ident.MatchString(part) && len(part) > 1 && !slices.Contains(out, part) {
				out = append(out, part)
			}
		}
	}
	return out
}

// Select implements Selector.
func (g GrepSelector) Select(ctx context.Context, dir string) ([]string, error) {
	maxFiles := g.MaxFiles
	if maxFiles <= 0 {
		maxFiles = 32
	}
	maxBytes := g.MaxFileBytes
	if maxBytes <= 0 {
		maxBytes = 1 << 20
	}
	stmt, err := os.ReadFile(filepath.Join(dir, "STATEMENT.md"))
	if err != nil {
		return nil, err
	}
	ids := Identifiers(string(stmt))
	if len(ids) == 0 {
		return nil, errors.New("grep selector: the statement names no identifier")
	}
	var decl, mention []*regexp.Regexp
	for _, id := range ids {
		q := regexp.QuoteMeta(id)
		decl = append(decl, regexp.MustCompile(`(?m)^(?:func\s+(?:\([^)]*\)\s*)?`+q+`\s*[\[(]|(?:type|var|const)\s+`+q+`\b)`))
		mention = append(mention, regexp.MustCompile(`\b`+q+`\b`))
	}
	repo := filepath.Join(dir, "repo")
	var declared, mentioned []string
	err = filepath.WalkDir(repo, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if path != repo && (strings.HasPrefix(d.Name(), ".") || d.Name() == "vendor" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".go") || strings.HasSuffix(d.Name(), "_test.go") {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > maxBytes {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(repo, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		for i := range ids {
			if decl[i].Match(src) {
				declared = append(declared, rel)
				return nil
			}
		}
		for i := range ids {
			if mention[i].Match(src) {
				mentioned = append(mentioned, rel)
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := declared
	if len(out) == 0 {
		out = mentioned
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("grep selector: no Go file declares or mentions %s", strings.Join(ids, ", "))
	}
	slices.Sort(out)
	if len(out) > maxFiles {
		out = out[:maxFiles]
	}
	return out, nil
}

// Select runs the agent program for a context-selection challenge: as for a patch, with
// the folder as cwd, $CHALLENGE_TYPE=context-selection and $CHALLENGE_ANSWER (answer.txt
// in the folder) where it writes the paths, one per line (its standard output if the
// file is missing). Blank lines are ignored; the agent checks the rest.
func (p Program) Select(ctx context.Context, dir string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	answerPath := filepath.Join(dir, "answer.txt")
	cmd := exec.CommandContext(ctx, p.Path)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHALLENGE_DIR="+dir, "CHALLENGE_REPO="+filepath.Join(dir, "repo"),
		"CHALLENGE_TYPE=context-selection", "CHALLENGE_ANSWER="+answerPath)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	stdout := &capped{max: p.MaxOutput}
	stderr := &capped{max: 4096}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("agent %s: timed out after %s", p.Path, p.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("agent %s: %w: %s", p.Path, err, strings.TrimSpace(stderr.String()))
	}
	out := stdout.Bytes()
	if st, err := os.Stat(answerPath); err == nil {
		if st.Size() > int64(p.MaxOutput) {
			return nil, fmt.Errorf("agent %s: answer of %d bytes exceeds %d", p.Path, st.Size(), p.MaxOutput)
		}
		if out, err = os.ReadFile(answerPath); err != nil {
			return nil, err
		}
	} else if stdout.over {
		return nil, fmt.Errorf("agent %s: output exceeds %d bytes", p.Path, p.MaxOutput)
	}
	var paths []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 4096), max(p.MaxOutput, 4096))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			paths = append(paths, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("agent %s: answer: %w", p.Path, err)
	}
	return paths, nil
}
