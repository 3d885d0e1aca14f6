// Never-closed range: each request starts a summing goroutine that ranges over a channel
// nobody closes.
package main

import (
	"fmt"
	"net/http"

	"goapps/harness"
)

func handle(w http.ResponseWriter, r *http.Request) {
	items := make(chan int)
	total := 0
	go func() {
		for v := range items { // leak site
			total += v
		}
	}()
	for i := 0; i < 3; i++ {
		items <- i
	}
	fmt.Fprintln(w, "queued")
}

func main() { harness.Run("/batch", handle) }
