// Healthy control: a fixed pool of workers serves every request; replies go through a buffered
// channel, so nothing is left behind.
package main

import (
	"fmt"
	"net/http"

	"goapps/harness"
)

type job struct {
	n     int
	reply chan int
}

var jobs = make(chan job)

func worker() {
	for j := range jobs {
		j.reply <- j.n * 2
	}
}

func handle(w http.ResponseWriter, r *http.Request) {
	j := job{n: len(r.URL.RawQuery), reply: make(chan int, 1)}
	jobs <- j
	fmt.Fprintln(w, <-j.reply)
}

func main() {
	for i := 0; i < 8; i++ {
		go worker()
	}
	harness.Run("/compute", handle)
}
