//! One rule per file; each file starts with the rule's documentation.

pub mod after_in_loop;
pub mod defer_in_loop;
pub mod lost_cancel;
pub mod parse_error;
pub mod range_unclosed;
pub mod tick_leak;
pub mod ticker_not_stopped;
pub mod abandoned_sender;
pub mod send_without_cancel;
pub mod unstoppable_loop;
pub mod producer_no_close;
pub mod abandoned_receiver;
pub mod chan_op_under_lock;
pub mod done_skipped;
pub mod double_lock;
pub mod missing_unlock;
pub mod waitgroup_misuse;
