package main

import (
	"context"
	"log"
	"sync"
	"time"
)

type Stats struct {
	mu        sync.Mutex
	processed int
	failed    int
}

func (s *Stats) Record(r Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Err != nil {
		s.failed++
		return
	}
	s.processed++
}

func (s *Stats) Processed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.processed
}

// ReportStats returns when ctx ends, and leaves its time.Tick ticker running for ever.
func ReportStats(ctx context.Context, stats *Stats) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.Tick(10 * time.Second):
			log.Printf("processed %d", stats.Processed())
		}
	}
}

// ReportStatsFixed owns a ticker and stops it on the way out.
func ReportStatsFixed(ctx context.Context, stats *Stats) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			log.Printf("processed %d", stats.Processed())
		}
	}
}

// WaitForBacklog polls until the backlog drains; its ticker is never stopped.
func WaitForBacklog(orders chan Order) {
	t := time.NewTicker(100 * time.Millisecond)
	for range t.C {
		if len(orders) == 0 {
			return
		}
	}
}

// WaitForBacklogFixed stops its ticker when it returns.
func WaitForBacklogFixed(orders chan Order) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for range t.C {
		if len(orders) == 0 {
			return
		}
	}
}

// drainEvents waits for events with an idle timeout; every event abandons the idle timer.
func drainEvents(events <-chan string) {
	for {
		select {
		case ev := <-events:
			log.Print(ev)
		case <-time.After(time.Minute):
			return
		}
	}
}

// pollEvents is a periodic loop: every case but the timer leaves the loop, so at most one
// timer is ever abandoned.
func pollEvents(ctx context.Context, poll func()) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
			poll()
		}
	}
}
