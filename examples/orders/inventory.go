package main

import (
	"context"
	"errors"
	"sync"
)

var errOutOfStock = errors.New("out of stock")

// Inventory holds the stock per item, shared by every order goroutine.
type Inventory struct {
	mu    sync.Mutex
	stock map[int]int
}

// Reserve takes n items of an order's stock. The early return for an empty shelf skips the
// unlock: the next Reserve, and every order after it, waits forever on mu.
func (inv *Inventory) Reserve(item, n int) error {
	inv.mu.Lock()
	if inv.stock[item] < n {
		return errOutOfStock
	}
	inv.stock[item] -= n
	inv.mu.Unlock()
	return nil
}

// ReserveFixed is Reserve with the unlock deferred, so every return releases mu.
func (inv *Inventory) ReserveFixed(item, n int) error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.stock[item] < n {
		return errOutOfStock
	}
	inv.stock[item] -= n
	return nil
}

// ReserveAll reserves every order of a batch in parallel and waits for them. A worker whose
// reservation fails returns before wg.Done, so wg.Wait never returns and the batch (with its
// caller) hangs.
func (inv *Inventory) ReserveAll(ctx context.Context, batch []Order) []error {
	errs := make([]error, len(batch))
	var wg sync.WaitGroup
	for i, o := range batch {
		wg.Add(1)
		go func() {
			if err := inv.ReserveFixed(o.ID, o.Amount); err != nil {
				errs[i] = err
				return
			}
			wg.Done()
		}()
	}
	wg.Wait()
	return errs
}

// ReserveAllFixed defers wg.Done as the worker's first statement: it runs on every return.
func (inv *Inventory) ReserveAllFixed(ctx context.Context, batch []Order) []error {
	errs := make([]error, len(batch))
	var wg sync.WaitGroup
	for i, o := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := inv.ReserveFixed(o.ID, o.Amount); err != nil {
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	return errs
}

// Restocks hands deliveries from the supplier goroutine to the orders waiting for them.
type Restocks struct {
	mu        sync.Mutex
	delivered chan int
	waiting   int
}

// Deliver records a delivery, then hands it to a waiting order.
func (r *Restocks) Deliver(item int) {
	r.mu.Lock()
	r.waiting--
	r.mu.Unlock()
	r.delivered <- item
}

// Await waits for the next delivery while holding mu. Deliver needs mu before it can send,
// so the order and the supplier wait for each other forever, and every order behind them too.
func (r *Restocks) Await() int {
	r.mu.Lock()
	r.waiting++
	item := <-r.delivered
	r.mu.Unlock()
	return item
}

// AwaitFixed releases mu before it waits, and gives up when the order's context ends.
func (r *Restocks) AwaitFixed(ctx context.Context) (int, error) {
	r.mu.Lock()
	r.waiting++
	r.mu.Unlock()
	select {
	case item := <-r.delivered:
		return item, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
