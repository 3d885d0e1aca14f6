//! The semantic model on small packages: types, identities, calls and lock effects.

use leakhound_model::semantic::entry::EntryLocks;
use leakhound_model::semantic::identity::{Base, Identity};
use leakhound_model::semantic::types::Kind;
use leakhound_model::semantic::{FuncId, Semantic};
use leakhound_model::summary::Mode;
use leakhound_syntax::ast::{Decl, Expr, Stmt};
use leakhound_syntax::{parse_file, Arena, ParsedFile};

const SRC: &str = r#"package p

import "sync"

type inner struct {
	mu sync.Mutex
}

type S struct {
	inner
	wg   sync.WaitGroup
	cond *sync.Cond
	ch   chan int
	rw   sync.RWMutex
}

type E struct {
	sync.Mutex
	n int
}

var global sync.Mutex

func newS() *S { return &S{} }

func (s *S) C() chan int { return s.ch }

func (s *S) helper() {
	s.mu.Lock()
	s.mu.Unlock()
}

func (s *S) deeper() { s.helper() }

func (s *S) send(v int) { s.ch <- v }

func (s *S) publish(v int) {
	s.rw.Lock()
	defer s.rw.Unlock()
	s.send(v)
}

func (s *S) locked(need bool) {
	if need {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
}

func use(e *E) {
	x := newS()
	x.wg.Wait()
	c := x.cond
	c.Wait()
	mu := &x.mu
	mu.Lock()
	mu.Unlock()
	e.Lock()
	<-x.C()
	global.Lock()
	x.deeper()
	global.Unlock()
}
"#;

fn model<'a>(arena: &'a Arena) -> (Semantic<'a>, &'a ParsedFile<'a>) {
    let parsed: &'a ParsedFile<'a> = arena.alloc(parse_file(SRC, arena));
    (Semantic::build(vec![Some(parsed)]), parsed)
}

fn func(sem: &Semantic<'_>, name: &str) -> FuncId {
    sem.func_ids().find(|&f| sem.func(f).name == name).unwrap()
}

/// The expression statements of `use`, in order.
fn stmts<'a>(parsed: &'a ParsedFile<'a>) -> Vec<&'a Expr<'a>> {
    let use_decl = parsed
        .file
        .decls
        .iter()
        .find_map(|d| match d {
            Decl::Func(f) if f.name.name == "use" => Some(*f),
            _ => None,
        })
        .unwrap();
    use_decl
        .body
        .as_ref()
        .unwrap()
        .stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Expr(e) => Some(&e.x),
            _ => None,
        })
        .collect()
}

#[test]
fn identities_through_types_aliases_embedding_and_accessors() {
    let arena = Arena::new();
    let (sem, parsed) = model(&arena);
    let f = func(&sem, "use");
    let calls = stmts(parsed);
    let s = sem.type_id("S").unwrap();
    let inner = sem.type_id("inner").unwrap();
    let e = sem.type_id("E").unwrap();

    let (wg, m) = sem.prim_call(f, calls[0]).unwrap();
    assert_eq!(
        (wg.id, wg.kind, m),
        (
            Identity::Field {
                typ: s,
                field: "wg"
            },
            Kind::WaitGroup,
            "Wait"
        )
    );
    let (cond, m) = sem.prim_call(f, calls[1]).unwrap();
    assert_eq!(
        (cond.id, cond.kind, m),
        (
            Identity::Field {
                typ: s,
                field: "cond"
            },
            Kind::Cond,
            "Wait"
        )
    );
    // `mu := &x.mu`: the promoted field of the embedded struct.
    let (mu, _) = sem.prim_call(f, calls[2]).unwrap();
    assert_eq!(
        mu.id,
        Identity::Field {
            typ: inner,
            field: "mu"
        }
    );
    assert!(matches!(mu.place.base, Base::Local(_)));
    assert_eq!(mu.place.path, vec!["mu"]);
    // An embedded sync.Mutex locked as `e.Lock()`.
    let (emb, _) = sem.prim_call(f, calls[4]).unwrap();
    assert_eq!(
        emb.id,
        Identity::Field {
            typ: e,
            field: "Mutex"
        }
    );
    assert_eq!(emb.place.base, Base::Param(0));
    let (g, _) = sem.prim_call(f, calls[6]).unwrap();
    assert_eq!(g.id, Identity::PkgVar("global"));
    // The census sees the receive through the accessor.
    let recv: Vec<_> = sem.uses().iter().filter(|u| u.op == "recv").collect();
    assert_eq!(recv.len(), 1);
    assert_eq!(
        recv[0].prim.id,
        Identity::Field {
            typ: s,
            field: "ch"
        }
    );
}

#[test]
fn lock_effects_at_any_depth_with_bool_guards() {
    let arena = Arena::new();
    let (sem, parsed) = model(&arena);
    let f = func(&sem, "use");
    let inner = sem.type_id("inner").unwrap();
    let deeper = &sem.lock_effects(func(&sem, "deeper")).acquires;
    assert_eq!(deeper.len(), 1);
    assert_eq!(
        deeper[0].prim.id,
        Identity::Field {
            typ: inner,
            field: "mu"
        }
    );
    assert_eq!(deeper[0].prim.place.base, Base::Recv);
    let locked = &sem.lock_effects(func(&sem, "locked")).acquires;
    assert_eq!(locked[0].guard, Some((0, true)));
    assert!(sem
        .lock_effects(func(&sem, "locked"))
        .held_at_return
        .is_empty());
    // `global` held while `x.deeper()` takes `x.mu`: an order edge (and `e`, never unlocked,
    // is held before both).
    let edges: Vec<_> = sem
        .order_edges()
        .iter()
        .filter(|e| e.func == f)
        .map(|e| {
            (
                sem.describe(&e.first.prim.id),
                sem.describe(&e.second.prim.id),
            )
        })
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        edges,
        vec![
            pair("E.Mutex", "global"),
            pair("E.Mutex", "inner.mu"),
            pair("global", "inner.mu")
        ]
    );
    let Expr::Call(c) = stmts(parsed)[7] else {
        panic!()
    };
    assert_eq!(sem.call_acquires(f, c).len(), 1);
}

#[test]
fn blocking_channel_operations_through_calls_with_the_locks_held() {
    let arena = Arena::new();
    let (sem, _) = model(&arena);
    let s = sem.type_id("S").unwrap();
    let blocking = &sem.lock_effects(func(&sem, "publish")).blocking;
    assert_eq!(blocking.len(), 1);
    let b = &blocking[0];
    assert_eq!(b.op, "send");
    assert_eq!(
        b.chan.as_ref().map(|c| (c.id, c.place.base)),
        Some((
            Identity::Field {
                typ: s,
                field: "ch"
            },
            Base::Recv
        ))
    );
    assert_eq!(b.via, Some(func(&sem, "send")));
    assert_eq!(
        b.held.iter().map(|h| h.prim.id).collect::<Vec<_>>(),
        vec![Identity::Field {
            typ: s,
            field: "rw"
        }]
    );
}

const ENTRY_SRC: &str = r#"package p

import "sync"

type T struct {
	gate sync.Mutex
	rw   sync.RWMutex
	a    sync.Mutex
}

func (t *T) Run() {
	t.gate.Lock()
	defer t.gate.Unlock()
	t.step()
}

func (t *T) Read() {
	t.gate.Lock()
	t.rw.RLock()
	t.step()
	t.rw.RUnlock()
	t.gate.Unlock()
}

// Entered with gate held by both callers, rw by one only.
func (t *T) step() { t.leaf() }

func (t *T) leaf() {
	t.a.Lock()
	t.a.Unlock()
}

// Also started with go: nothing is known on entry.
func (t *T) spawned() { t.leaf() }

func (t *T) Start() {
	t.gate.Lock()
	t.spawned()
	go t.spawned()
	t.gate.Unlock()
}

// Releases gate for its caller: entered with it held.
func (t *T) Unlock() {
	t.leaf()
	t.gate.Unlock()
}
"#;

#[test]
fn locks_held_on_entry_through_every_caller() {
    let arena = Arena::new();
    let parsed: &ParsedFile<'_> = arena.alloc(parse_file(ENTRY_SRC, &arena));
    let sem = Semantic::build(vec![Some(parsed)]);
    let t = sem.type_id("T").unwrap();
    let gate = Identity::Field {
        typ: t,
        field: "gate",
    };
    let mut entry = EntryLocks::new(&sem);
    let mut held = |name: &str| entry.held_on_entry(func(&sem, name));
    assert_eq!(held("step"), vec![(gate, Mode::Write)]);
    // Through `step`, whose callers hold gate, and `spawned`, started with `go` too.
    assert_eq!(held("leaf"), Vec::new());
    assert_eq!(held("spawned"), Vec::new());
    assert_eq!(held("Unlock"), vec![(gate, Mode::Write)]);
    assert_eq!(held("Run"), Vec::new());
    assert_eq!(sem.call_sites(func(&sem, "step")).map(|s| s.len()), Some(2));
    assert_eq!(sem.call_sites(func(&sem, "spawned")), None);
}
