//! One rule per file; each file starts with the rule's documentation.

pub mod abandoned_receiver;
pub mod abandoned_sender;
pub mod after_in_loop;
pub mod chan_op_under_lock;
pub mod defer_in_loop;
pub mod done_skipped;
pub mod double_lock;
pub mod lost_cancel;
pub mod missing_unlock;
pub mod parse_error;
pub mod producer_no_close;
pub mod range_unclosed;
pub mod send_without_cancel;
pub mod tick_leak;
pub mod ticker_not_stopped;
pub mod unstoppable_loop;
pub mod waitgroup_misuse;
