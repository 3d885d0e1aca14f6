// Timer loop with no exit: each subscription starts a keep-alive loop that wakes on a fresh
// time.After every iteration and has no case that returns.
package main

import (
	"fmt"
	"net/http"
	"time"

	"goapps/harness"
)

type session struct{ updates chan string }

func (s *session) keepAlive() {
	for {
		select { // leak site
		case <-time.After(200 * time.Millisecond):
		case u := <-s.updates:
			_ = u
		}
	}
}

func handle(w http.ResponseWriter, r *http.Request) {
	s := &session{updates: make(chan string)}
	go s.keepAlive()
	fmt.Fprintln(w, "subscribed")
}

func main() { harness.Run("/subscribe", handle) }
