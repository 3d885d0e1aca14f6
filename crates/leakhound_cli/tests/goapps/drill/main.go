// The incident drill: an order service with four leaks beside long-lived goroutines that are
// not leaks. The line each leak parks at ends in a "leak NAME" comment, the line each benign
// group parks at in a "benign NAME" comment: the end-to-end test reads them.
//
// Leaks: an order consumer that gives up on Process() with time.After and abandons its send;
// a cancel func discarded in a loop, leaving watchers on a context nobody cancels; a range over
// a channel nobody closes, once per request; a Lock with no Unlock on an error path, after which
// every request piles up on the lock inside its net/http handler.
// Benign: a 200-goroutine pool started at once, a 32-worker pipeline pool, HTTP keep-alive
// connections and a ticker loop.
//
// The load comes from a second process (this binary with -drive), so the profiled process holds
// only the service's goroutines. Loopback only; both processes exit by themselves.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"goapps/harness"
)

type order struct{ id int }

type result struct {
	id int
	ok bool
}

var (
	orders    = make(chan order, 64)
	jobs      = make(chan int)
	base      = context.Background()
	errNoItem = errors.New("out of stock")
	inventory = &stock{level: 1 << 30}
)

// Process charges an order; one in five takes longer than the consumer waits.
func (o order) Process(done chan<- result) {
	if o.id%5 == 0 {
		time.Sleep(30 * time.Millisecond)
	}
	done <- result{o.id, true} // leak process
}

func consume() {
	for o := range orders {
		done := make(chan result)
		go o.Process(done)
		select {
		case <-done:
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func handleOrder(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	orders <- order{n}
	jobs <- n
	fmt.Fprintln(w, "accepted")
}

func watch(ctx context.Context, item int) {
	<-ctx.Done() // leak watch
}

func handleReserve(w http.ResponseWriter, r *http.Request) {
	for item := 0; item < 3; item++ {
		ctx, _ := context.WithCancel(base)
		go watch(ctx, item)
	}
	fmt.Fprintln(w, "reserved")
}

func handleBatch(w http.ResponseWriter, r *http.Request) {
	items := make(chan int)
	total := 0
	go func() {
		for v := range items { // leak batch
			total += v
		}
	}()
	for i := 0; i < 3; i++ {
		items <- i
	}
	fmt.Fprintln(w, "queued")
}

type stock struct {
	mu    sync.Mutex
	level int
}

func (s *stock) take(n int) error {
	s.mu.Lock() // leak lock
	if n%97 == 0 {
		return errNoItem
	}
	s.level--
	s.mu.Unlock()
	return nil
}

func handleStock(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	if err := inventory.take(n); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	fmt.Fprintln(w, "ok")
}

func worker() {
	for j := range jobs { // benign pool
		_ = j
	}
}

func startPipeline(in <-chan int) {
	out := make(chan int, 32)
	for i := 0; i < 32; i++ {
		go func() {
			for v := range in { // benign pipeline
				out <- v * 2
			}
		}()
	}
	go func() {
		for range out {
		}
	}()
}

func tick(feed chan<- int) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for range t.C { // benign ticker
		feed <- 1
	}
}

var (
	rate     = flag.Int("rate", 200, "requests per second (over the four endpoints)")
	load     = flag.Duration("load", 20*time.Second, "how long to send requests")
	lifetime = flag.Duration("lifetime", 60*time.Second, "exit after this long")
	drive    = flag.String("drive", "", "send the load to this base URL instead of serving")
)

func main() {
	flag.Parse()
	if *drive != "" {
		var urls []string
		for _, p := range []string{"/order", "/reserve", "/batch", "/stock"} {
			urls = append(urls, *drive+p)
		}
		harness.Drive(urls, *rate, *load)
		return
	}
	http.HandleFunc("/order", handleOrder)
	http.HandleFunc("/reserve", handleReserve)
	http.HandleFunc("/batch", handleBatch)
	http.HandleFunc("/stock", handleStock)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; i < 200; i++ {
		go worker()
	}
	feed := make(chan int)
	startPipeline(feed)
	go tick(feed)
	go consume()
	addr := ln.Addr().String()
	go func() { _ = http.Serve(ln, nil) }()
	driver := exec.Command(os.Args[0], "-drive", "http://"+addr, "-rate", strconv.Itoa(*rate),
		"-load", load.String())
	if err := driver.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", addr)
	time.Sleep(*lifetime)
	_ = driver.Process.Kill()
}
