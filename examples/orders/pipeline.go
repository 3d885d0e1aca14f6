package main

import (
	"context"
	"time"
)

// The channel leaks beside their correct versions, one per rule (LH302–LH305).

// totals sends each order's amount; the stage ignores ctx, so it blocks once the reader stops.
func totals(ctx context.Context, in <-chan Order, out chan<- int) {
	for o := range in {
		out <- o.Amount
	}
}

// totalsFixed gives up its send when ctx is cancelled.
func totalsFixed(ctx context.Context, in <-chan Order, out chan<- int) {
	for o := range in {
		select {
		case out <- o.Amount:
		case <-ctx.Done():
			return
		}
	}
}

// watch is meant to stop on ctx.Done(), but the break only leaves the select.
func watch(ctx context.Context, events <-chan Order, seen func(Order)) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				break
			case o := <-events:
				seen(o)
			}
		}
	}()
}

// watchFixed returns on ctx.Done().
func watchFixed(ctx context.Context, events <-chan Order, seen func(Order)) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case o := <-events:
				seen(o)
			}
		}
	}()
}

// replay feeds orders to its caller but never closes the channel: a range over it hangs.
func replay(orders []Order) <-chan Order {
	out := make(chan Order)
	go func() {
		for _, o := range orders {
			out <- o
		}
	}()
	return out
}

// replayFixed closes the channel after the last order.
func replayFixed(orders []Order) <-chan Order {
	out := make(chan Order)
	go func() {
		defer close(out)
		for _, o := range orders {
			out <- o
		}
	}()
	return out
}

// sum ranges over amounts that nobody closes: the range never ends.
func sum(orders []Order) int {
	amounts := make(chan int)
	go func() {
		for _, o := range orders {
			amounts <- o.Amount
		}
	}()
	total := 0
	for a := range amounts {
		total += a
	}
	return total
}

// sumFixed closes amounts after the last send.
func sumFixed(orders []Order) int {
	amounts := make(chan int)
	go func() {
		defer close(amounts)
		for _, o := range orders {
			amounts <- o.Amount
		}
	}()
	total := 0
	for a := range amounts {
		total += a
	}
	return total
}

// pipelineDemo uses every stage so the example compiles without unused code.
func pipelineDemo(ctx context.Context, orders []Order) int {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	out := make(chan int, len(orders))
	totalsFixed(ctx, replayFixed(orders), out)
	_ = totals
	_ = replay
	_ = sum
	_ = sumFixed
	watch(ctx, replayFixed(orders), func(Order) {})
	watchFixed(ctx, replayFixed(orders), func(Order) {})
	return len(out)
}
