// Timeout-abandoned sender: the handler stops waiting after 10ms, the goroutine computing the
// answer then blocks forever on its send to an unbuffered channel.
package main

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"goapps/harness"
)

func lookup(n int) int {
	if n%2 == 0 {
		time.Sleep(30 * time.Millisecond)
	}
	return n * 2
}

func handle(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	ch := make(chan int)
	go func() {
		ch <- lookup(n) // leak site
	}()
	select {
	case v := <-ch:
		fmt.Fprintln(w, v)
	case <-time.After(10 * time.Millisecond):
		http.Error(w, "timeout", http.StatusGatewayTimeout)
	}
}

func main() { harness.Run("/quote", handle) }
