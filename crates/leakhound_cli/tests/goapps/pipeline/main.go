// Pipeline send after the consumer left: the producer stage sends every result with a bare
// send, the handler takes the first result and returns.
package main

import (
	"context"
	"fmt"
	"net/http"

	"goapps/harness"
)

func produce(ctx context.Context, n int) <-chan int {
	out := make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			out <- i * i // leak site
		}
		close(out)
	}()
	return out
}

func handle(w http.ResponseWriter, r *http.Request) {
	first := <-produce(r.Context(), 5)
	fmt.Fprintln(w, first)
}

func main() { harness.Run("/first", handle) }
