//! One rule per file; each file starts with the rule's documentation and holds its metadata
//! (`RULE`) and all of its judgement. This list is the registry: one line per rule, in catalog
//! order, gives the rule its [`RuleId`] and its place in [`RULES`].

macro_rules! registry {
    ($($id:ident => $module:ident,)*) => {
        $(pub mod $module;)*

        /// A rule's identity: the index of its bit in a `RuleSet` and of its entry in `RULES`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $($id,)*
        }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[$(RuleId::$id,)*];

            pub fn rule(self) -> &'static crate::registry::Rule {
                RULES[self as usize]
            }
        }

        pub(crate) static RULES: &[&crate::registry::Rule] = &[$(&$module::RULE,)*];
    };
}

registry! {
    ParseError => parse_error,
    AfterInLoop => after_in_loop,
    TickLeak => tick_leak,
    TickerNotStopped => ticker_not_stopped,
    TimerDrainBlock => timer_drain_block,
    LostCancel => lost_cancel,
    DeferInLoop => defer_in_loop,
    AbandonedSender => abandoned_sender,
    RangeUnclosed => range_unclosed,
    SendWithoutCancel => send_without_cancel,
    UnstoppableLoop => unstoppable_loop,
    ProducerNoClose => producer_no_close,
    AbandonedReceiver => abandoned_receiver,
    MissingUnlock => missing_unlock,
    DoubleLock => double_lock,
    ChanOpUnderLock => chan_op_under_lock,
    DoneSkipped => done_skipped,
    WaitgroupMisuse => waitgroup_misuse,
    LockOrderInversion => lock_order_inversion,
    CondWaitUnsignalled => cond_wait_unsignalled,
    WaitgroupAddWithoutDone => waitgroup_add_without_done,
}
