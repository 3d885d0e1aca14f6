// Package harness serves one handler and net/http/pprof on 127.0.0.1 and drives a bounded load
// against it, so each scenario is a few lines of leaking (or healthy) code.
package harness

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"time"
)

// Run serves handler at path, prints "listening on http://ADDR", sends -rate requests per second
// for -load, and exits after -lifetime in case nobody kills it.
func Run(path string, handler http.HandlerFunc) {
	rate := flag.Int("rate", 200, "requests per second")
	load := flag.Duration("load", 20*time.Second, "how long to send requests")
	lifetime := flag.Duration("lifetime", 60*time.Second, "exit after this long")
	flag.Parse()

	http.HandleFunc(path, handler)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	addr := ln.Addr().String()
	fmt.Printf("listening on http://%s\n", addr)
	go func() { _ = http.Serve(ln, nil) }()
	go Drive([]string{"http://" + addr + path}, *rate, *load)
	time.Sleep(*lifetime)
}

// Drive sends rate requests per second for load, in turn to each of urls, the k-th request to
// a URL with ?n=k.
func Drive(urls []string, rate int, load time.Duration) {
	client := &http.Client{Timeout: 2 * time.Second}
	t := time.NewTicker(time.Second / time.Duration(rate))
	defer t.Stop()
	stop := time.After(load)
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		case <-t.C:
			go func(n int) {
				url := urls[n%len(urls)]
				resp, err := client.Get(fmt.Sprintf("%s?n=%d", url, n/len(urls)))
				if err == nil {
					resp.Body.Close()
				}
			}(n)
		}
	}
}
