package main

import (
	"context"
	"log"
	"time"
)

type Service struct {
	gateway Gateway
	stats   *Stats
}

// ConsumeOrders is the incident's loop: every order makes a timer with time.After, and every
// order whose result comes first abandons it; every order whose timer wins abandons the
// Process goroutine.
func (s *Service) ConsumeOrders(ctx context.Context, orders <-chan Order) {
	for order := range orders {
		select {
		case res := <-s.Process(order):
			s.stats.Record(res)
		case <-time.After(chargeTimeout):
			log.Printf("order %d timed out", order.ID)
		}
	}
}

// ConsumeOrdersFixed reuses one timer and waits on a process whose goroutine can always finish.
func (s *Service) ConsumeOrdersFixed(ctx context.Context, orders <-chan Order) {
	timer := time.NewTimer(chargeTimeout)
	defer timer.Stop()
	for order := range orders {
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(chargeTimeout)
		select {
		case res := <-s.ProcessFixed(order):
			s.stats.Record(res)
		case <-timer.C:
			log.Printf("order %d timed out", order.ID)
		case <-ctx.Done():
			return
		}
	}
}
