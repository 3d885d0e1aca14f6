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
