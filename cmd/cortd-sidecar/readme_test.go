package main

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The README names cortd-sidecar commands and flags in shell blocks ($S ... where
// S=./build/cortd-sidecar), in tables (a cell's code span starting with a command, and
// the row's lone `--flag` spans, which belong to the commands of its first cell), in
// flag tables (| flag | ... under a heading mapped below) and in prose (code spans
// starting with `cortd-sidecar` or with a command and a flag). Every one of them must
// exist in the command tree built here. cortd (the node binary) lines are not checked:
// its root command needs the whole app linked into this test binary.

// invocation is one sidecar command line of the README (line: of a paragraph, its first).
type invocation struct {
	line int
	args []string // after the binary: command path, flags, arguments
	// rowFlags: lone `--flag` spans of the same table row, which must belong to the
	// command (to one of the row's commands when its first cell has several).
	rowFlags []string
	// row: the table row's invocations share rowFlags (index of the row, 0: none).
	row int
}

// flagTableCommands maps the heading above a "| flag |" table to the command whose
// flags it lists. A flag table under another heading fails the test until it is added.
var flagTableCommands = map[string]string{
	"Router limits": "router",
}

var codeSpan = regexp.MustCompile("`([^`]+)`")

// readmeInvocations finds the sidecar command lines of a markdown text. top holds the
// sidecar's top-level command names (a code span starting with one is a command line).
func readmeInvocations(md string, top map[string]bool) ([]invocation, error) {
	lines := strings.Split(md, "\n")
	var out []invocation
	var heading string
	flagTable := "" // the command of the flag table being read
	inFence, sidecarVar := false, ""
	var cont string // a shell line continued with a trailing backslash
	rows := 0
	var para []string
	paraStart := 0
	flushPara := func() {
		text := strings.Join(para, " ")
		for _, m := range codeSpan.FindAllStringSubmatch(text, -1) {
			f := shellFields(m[1])
			switch {
			case len(f) > 1 && isSidecarBinary(f[0]):
				out = append(out, invocation{line: paraStart, args: f[1:]})
			case len(f) > 1 && top[f[0]] && hasFlag(f):
				out = append(out, invocation{line: paraStart, args: f})
			}
		}
		para = nil
	}
	for i, raw := range lines {
		n := i + 1
		trimmed := strings.TrimSpace(raw)
		if !strings.HasPrefix(trimmed, "|") {
			flagTable = "" // a flag table ends with its last row
		}
		if strings.HasPrefix(trimmed, "```") {
			flushPara()
			inFence = !inFence
			cont = ""
			continue
		}
		if inFence {
			l := stripComment(raw)
			if strings.HasSuffix(strings.TrimSpace(l), `\`) {
				cont += strings.TrimSuffix(strings.TrimSpace(l), `\`) + " "
				continue
			}
			l, cont = cont+l, ""
			f := shellFields(l)
			for j, tok := range f {
				if v, val, ok := strings.Cut(tok, "="); ok && isSidecarBinary(strings.TrimSuffix(val, ";")) {
					sidecarVar = v // S=./build/cortd-sidecar
					continue
				}
				if (sidecarVar != "" && (tok == "$"+sidecarVar || tok == "${"+sidecarVar+"}")) || isSidecarBinary(tok) {
					out = append(out, invocation{line: n, args: untilTerminator(f[j+1:])})
				}
			}
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			flushPara()
			heading = strings.TrimSpace(strings.TrimLeft(trimmed, "#"))
			continue
		}
		if strings.HasPrefix(trimmed, "|") {
			flushPara()
			cells := tableCells(trimmed)
			if len(cells) == 0 || strings.Trim(cells[0], "-: ") == "" {
				continue // the |---| line
			}
			if strings.EqualFold(cells[0], "flag") {
				for prefix, c := range flagTableCommands {
					if strings.HasPrefix(heading, prefix) {
						flagTable = c
					}
				}
				if flagTable == "" {
					return nil, fmt.Errorf("line %d: a flag table under %q: add the heading to flagTableCommands", n, heading)
				}
				continue
			}
			rows++
			var flags []string
			for _, c := range cells {
				for _, m := range codeSpan.FindAllStringSubmatch(c, -1) {
					if f := shellFields(m[1]); len(f) == 1 && strings.HasPrefix(f[0], "--") {
						flags = append(flags, f[0])
					}
				}
			}
			if flagTable != "" {
				out = append(out, invocation{line: n, args: []string{flagTable}, rowFlags: flags, row: rows})
				continue
			}
			var first []invocation
			for ci, c := range cells {
				for _, m := range codeSpan.FindAllStringSubmatch(c, -1) {
					f := shellFields(m[1])
					if len(f) == 0 || strings.HasPrefix(f[0], "--") {
						continue
					}
					inv := invocation{line: n, args: f}
					if isSidecarBinary(f[0]) {
						inv.args = f[1:]
					} else if !top[f[0]] {
						continue
					}
					if ci == 0 {
						first = append(first, inv)
					} else {
						out = append(out, inv)
					}
				}
			}
			for k := range first {
				first[k].rowFlags, first[k].row = flags, rows
			}
			out = append(out, first...)
			continue
		}
		if trimmed == "" {
			flushPara()
			continue
		}
		if len(para) == 0 {
			paraStart = n
		}
		para = append(para, trimmed)
	}
	flushPara()
	return out, nil
}

// isSidecarBinary: the token runs the sidecar (cortd-sidecar, ./build/cortd-sidecar).
func isSidecarBinary(tok string) bool {
	return path.Base(tok) == "cortd-sidecar" && !strings.Contains(tok, "=") && !strings.HasSuffix(tok, "/")
}

func hasFlag(f []string) bool {
	for _, t := range f {
		if strings.HasPrefix(strings.TrimLeft(t, "["), "--") {
			return true
		}
	}
	return false
}

// stripComment drops a shell comment (a # that starts a word).
func stripComment(l string) string {
	for i := range len(l) {
		if l[i] == '#' && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t') {
			return l[:i]
		}
	}
	return l
}

// shellFields splits a command line into words, keeping quoted strings whole.
func shellFields(s string) []string {
	var out []string
	var cur strings.Builder
	quote, in := byte(0), false
	for i := range len(s) {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// untilTerminator keeps the words of one command: up to ; | && > and the like.
func untilTerminator(f []string) []string {
	for i, t := range f {
		switch {
		case t == ";" || t == `\;` || t == "|" || t == "||" || t == "&&" || t == "&",
			strings.HasPrefix(t, ">"), strings.HasPrefix(t, "<"), strings.HasPrefix(t, "2>"):
			return f[:i]
		case strings.HasSuffix(t, ";"):
			return append(f[:i:i], strings.TrimSuffix(t, ";"))
		}
	}
	return f
}

// tableCells splits a markdown table row, keeping \| (a pipe inside a cell) as |.
func tableCells(row string) []string {
	row = strings.ReplaceAll(strings.Trim(row, "|"), `\|`, "\x00")
	cells := strings.Split(row, "|")
	for i, c := range cells {
		cells[i] = strings.TrimSpace(strings.ReplaceAll(c, "\x00", "|"))
	}
	return cells
}

// lookupFlag finds --name or -n on cmd, its inherited flags included.
func lookupFlag(cmd *cobra.Command, tok string) *pflag.Flag {
	cmd.InitDefaultHelpFlag()
	if name, ok := strings.CutPrefix(tok, "--"); ok {
		name, _, _ = strings.Cut(name, "=")
		return cmd.Flag(name)
	}
	short := strings.TrimPrefix(tok, "-")
	if len(short) != 1 {
		return nil
	}
	if f := cmd.Flags().ShorthandLookup(short); f != nil {
		return f
	}
	return cmd.InheritedFlags().ShorthandLookup(short)
}

// resolve walks args down the command tree: it returns the command they name, or
// the first command or flag that does not exist.
func resolve(root *cobra.Command, args []string) (*cobra.Command, error) {
	cmd, positional := root, false
	for i := 0; i < len(args); i++ {
		a := strings.Trim(args[i], "[]")
		switch {
		case a == "" || a == "...":
		case strings.HasPrefix(a, "-") && a != "-":
			f := lookupFlag(cmd, a)
			if f == nil {
				return nil, fmt.Errorf("%s has no flag %s", cmd.CommandPath(), a)
			}
			if !strings.Contains(a, "=") && f.NoOptDefVal == "" {
				i++ // its value
			}
		case !positional:
			if sub, _, err := cmd.Find([]string{a}); err == nil && sub != cmd {
				cmd = sub
				continue
			}
			if cmd.HasSubCommands() && !cmd.Runnable() {
				return nil, fmt.Errorf("%s has no command %q", cmd.CommandPath(), a)
			}
			positional = true
		}
	}
	return cmd, nil
}

// checkInvocations returns one error per command or flag the README names that the
// tree does not have.
func checkInvocations(root *cobra.Command, invs []invocation) []error {
	var errs []error
	rowCmds := map[int][]*cobra.Command{}
	rowFlags := map[int][]string{}
	for _, inv := range invs {
		cmd, err := resolve(root, inv.args)
		if err != nil {
			errs = append(errs, fmt.Errorf("README.md:%d: `%s`: %w", inv.line, strings.Join(inv.args, " "), err))
			continue
		}
		if inv.row != 0 {
			rowCmds[inv.row] = append(rowCmds[inv.row], cmd)
			rowFlags[inv.row] = inv.rowFlags
		}
	}
	for row, flags := range rowFlags {
		for _, fl := range flags {
			found := false
			for _, c := range rowCmds[row] {
				found = found || lookupFlag(c, fl) != nil
			}
			if !found {
				errs = append(errs, fmt.Errorf("README.md table row %d: %s is not a flag of %s", row, fl, commandPaths(rowCmds[row])))
			}
		}
	}
	return errs
}

func commandPaths(cs []*cobra.Command) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.CommandPath())
	}
	return strings.Join(s, " or ")
}

func topCommands(root *cobra.Command) map[string]bool {
	top := map[string]bool{}
	for _, c := range root.Commands() {
		top[c.Name()] = true
	}
	return top
}

// TestReadmeCommandsExist: every cortd-sidecar command and flag README.md names exists.
func TestReadmeCommandsExist(t *testing.T) {
	md, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	root := newRootCmd()
	invs, err := readmeInvocations(string(md), topCommands(root))
	if err != nil {
		t.Fatal(err)
	}
	// The parser must see the README's command lines, or this test checks nothing.
	seen := map[string]bool{}
	for _, inv := range invs {
		if c, err := resolve(root, inv.args); err == nil {
			seen[strings.TrimPrefix(c.CommandPath(), "cortd-sidecar ")] = true
		}
	}
	for _, want := range []string{"model init", "model publish", "model pull", "model quantize", "miner", "router",
		"api-key add", "blobs add", "blobs serve", "auditor", "score", "challenger", "evaluator", "evaluator score", "dashboard", "serve"} {
		if !seen[want] {
			t.Errorf("the README parser found no %q line (found %d command lines)", want, len(invs))
		}
	}
	for _, err := range checkInvocations(root, invs) {
		t.Error(err)
	}
}

// TestReadmeCheckCatchesWrongNames: the check fails on a command, subcommand or flag
// that does not exist, wherever the README names it.
func TestReadmeCheckCatchesWrongNames(t *testing.T) {
	root := newRootCmd()
	md := strings.Join([]string{
		"## Section",
		"```sh",
		"S=./build/cortd-sidecar; M=x",
		"$S miner --key k --no-such-flag 1 \\",
		"   --models m",
		"$S model publsh DIR",
		"find . -exec $S blobs add blobs {} \\; >/dev/null   # --not-checked-in-comments",
		"```",
		"",
		"| command | what |",
		"|---|---|",
		"| `score --target ID` | sends with `--sumbit` |",
		"| `blobs serve DIR` / `blobs add DIR FILE` | `--addr` and `--base-url` exist |",
		"",
		"Prose: `cortd-sidecar dashbaord` and `router --api-key-file F`, not `model folder does not",
		"match` (no flag) nor `cortd start --home x` (the node).",
		"",
		"### Router limits (x)",
		"| flag | default |",
		"|---|---|",
		"| `--rate` / `--brust` | 60 |",
	}, "\n")
	invs, err := readmeInvocations(md, topCommands(root))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, err := range checkInvocations(root, invs) {
		got = append(got, err.Error())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"cortd-sidecar miner has no flag --no-such-flag",
		`cortd-sidecar model has no command "publsh"`,
		"--sumbit is not a flag of cortd-sidecar score",
		`cortd-sidecar has no command "dashbaord"`,
		"cortd-sidecar router has no flag --api-key-file",
		"--brust is not a flag of cortd-sidecar router",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no error %q in:\n%s", want, all)
		}
	}
	if len(got) != 6 {
		t.Errorf("want exactly the 6 wrong names, got %d:\n%s", len(got), all)
	}

	// A flag table under a heading the test does not know is an error, not skipped.
	_, err = readmeInvocations("## Other\n| flag | default |\n|---|---|\n| `--x` | 1 |\n", topCommands(root))
	if err == nil || !strings.Contains(err.Error(), "flagTableCommands") {
		t.Errorf("unmapped flag table: got %v", err)
	}
}
