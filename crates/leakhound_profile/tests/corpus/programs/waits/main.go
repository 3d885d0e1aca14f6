// Scenario "waits": parks goroutines on every kind of wait the runtime names differently from
// one Go release to the next (Mutex, RWMutex, Cond, WaitGroup, sleep, netpoll, channels), two
// user lines per kind with different counts, then writes its own goroutine profile in the three
// formats. Each blocking line carries a `// site NAME N` marker: N goroutines wait there, and a
// reader must group them by that line, never by the runtime or sync frame above it.
//
// Usage: waits OUTDIR   (writes OUTDIR/waits.debug{0,1,2}...; loopback only; exits by itself)
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"
)

var (
	muA, muB   sync.Mutex
	rwA, rwB   sync.RWMutex
	cond       = sync.NewCond(&sync.Mutex{})
	wgA, wgB   sync.WaitGroup
	chA, chB   = make(chan int), make(chan int)
	forever    = time.Hour
	connServer net.Listener
	clients    []net.Conn // the client ends stay open, so the server ends wait in read
)

func lockA() { muA.Lock() } // site mutexA 3

func lockB() { muB.Lock() } // site mutexB 4

func writeLockA() { rwA.Lock() } // site rwlockA 5

func readLockB() { rwB.RLock() } // site rwrlockB 6

func condWaitA() {
	cond.L.Lock()
	cond.Wait() // site condA 2
}

func condWaitB() {
	cond.L.Lock()
	cond.Wait() // site condB 7
}

func waitGroupA() { wgA.Wait() } // site waitgroupA 3

func waitGroupB() { wgB.Wait() } // site waitgroupB 5

func sleepA() { time.Sleep(forever) } // site sleepA 4

func sleepB() { time.Sleep(forever) } // site sleepB 2

func recvA() { <-chA } // site chanrecvA 3

func sendB() { chB <- 1 } // site chansendB 6

func readA(c net.Conn) { io.ReadFull(c, make([]byte, 1)) } // site netreadA 2

func readB(c net.Conn) { io.ReadFull(c, make([]byte, 1)) } // site netreadB 3

func spawn(n int, f func()) {
	for i := 0; i < n; i++ {
		go f()
	}
}

// dial opens n loopback connections whose server side waits in read at f.
func dial(n int, f func(net.Conn)) {
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", connServer.Addr().String())
		if err != nil {
			panic(err)
		}
		clients = append(clients, c)
		s, err := connServer.Accept()
		if err != nil {
			panic(err)
		}
		go f(s)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: waits OUTDIR")
		os.Exit(2)
	}
	var err error
	if connServer, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		panic(err)
	}
	muA.Lock()
	muB.Lock()
	rwA.RLock()
	rwB.Lock()
	wgA.Add(1)
	wgB.Add(1)
	spawn(3, lockA)
	spawn(4, lockB)
	spawn(5, writeLockA)
	spawn(6, readLockB)
	spawn(2, condWaitA)
	spawn(7, condWaitB)
	spawn(3, waitGroupA)
	spawn(5, waitGroupB)
	spawn(4, sleepA)
	spawn(2, sleepB)
	spawn(3, recvA)
	spawn(6, sendB)
	dial(2, readA)
	dial(3, readB)
	// Let every goroutine reach its wait, and a GC stamp wait times.
	time.Sleep(500 * time.Millisecond)
	for _, d := range []int{1, 2, 0} {
		name := fmt.Sprintf("waits.debug%d.txt", d)
		if d == 0 {
			name = "waits.debug0.pb.gz"
		}
		f, err := os.Create(filepath.Join(os.Args[1], name))
		if err != nil {
			panic(err)
		}
		if err := pprof.Lookup("goroutine").WriteTo(f, d); err != nil {
			panic(err)
		}
		f.Close()
	}
}
