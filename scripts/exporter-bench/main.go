// exporterbench serves targets for the exporter benchmark (scripts/bench-exporter.sh) on
// 127.0.0.1: net/http/pprof over -n goroutines parked at 50 sites (10 blocking calls x 5
// callers), and misbehaving endpoints: /slow answers after -slow, /trickle sends one byte a
// second, /endless streams forever. It prints "listening on http://ADDR" and exits after
// -lifetime.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync"
	"time"
)

var (
	mu   sync.Mutex
	wg   sync.WaitGroup
	cond = sync.NewCond(&sync.Mutex{})
)

func park(op int) {
	switch op {
	case 0:
		<-make(chan int)
	case 1:
		make(chan int) <- 1
	case 2:
		select {}
	case 3:
		mu.Lock()
	case 4:
		wg.Wait()
	case 5:
		cond.L.Lock()
		cond.Wait()
	case 6:
		time.Sleep(time.Hour)
	case 7:
		var c chan int
		<-c
	case 8:
		select {
		case <-make(chan int):
		case <-make(chan int):
		}
	default:
		t := time.NewTimer(time.Hour)
		<-t.C
	}
}

func ingest(op int)  { park(op) }
func render(op int)  { park(op) }
func publish(op int) { park(op) }
func audit(op int)   { park(op) }
func replay(op int)  { park(op) }

func main() {
	n := flag.Int("n", 200000, "parked goroutines")
	slow := flag.Duration("slow", time.Minute, "how long /slow waits")
	lifetime := flag.Duration("lifetime", 10*time.Minute, "exit after this long")
	flag.Parse()

	mu.Lock()
	wg.Add(1)
	callers := []func(int){ingest, render, publish, audit, replay}
	for i := 0; i < *n; i++ {
		go callers[i%5]((i / 5) % 10)
	}

	http.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(*slow)
	})
	http.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 600; i++ {
			if _, err := w.Write([]byte("g")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(time.Second)
		}
	})
	http.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 64<<10)
		for i := range chunk {
			chunk[i] = '#'
		}
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go func() { _ = http.Serve(ln, nil) }()
	time.Sleep(*lifetime)
}
