module example.com/orders

// go 1.22: the timer rules apply with the pre-1.23 semantics, as in the incident's service.
go 1.22
