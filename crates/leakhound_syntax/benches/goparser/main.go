// Command goparserbench parses every .go file under a directory with go/parser (the mode
// leakhound's conformance test uses) with N goroutines, reading each file, parsing and
// dropping the tree, and prints files, bytes, seconds and MB/s.
//
//	go run . DIR [GOROUTINES]
package main

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	dir := os.Args[1]
	workers := 1
	if len(os.Args) > 2 {
		workers, _ = strconv.Atoi(os.Args[2])
	}
	var files []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return nil
	})
	var bytes, errors atomic.Int64
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				src, err := os.ReadFile(files[i])
				if err != nil {
					continue
				}
				bytes.Add(int64(len(src)))
				if _, err := parser.ParseFile(token.NewFileSet(), files[i], src, parser.ParseComments|parser.SkipObjectResolution); err != nil {
					errors.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	fmt.Printf("%d files, %d bytes, %d with errors, %.3f s, %.1f MB/s (%d goroutines, GOMAXPROCS %s, go/parser)\n",
		len(files), bytes.Load(), errors.Load(), secs, float64(bytes.Load())/secs/1e6, workers, os.Getenv("GOMAXPROCS"))
}
