//! The dispatcher of the rules that ride on the scope walk (`leakhound_model::names`): at each
//! hook of the walk it calls the enabled rules, which judge the walk's state and the finished
//! functions' frames.

use leakhound_diagnostics::Diagnostic;
use leakhound_model::names::{Events, Frame, Walk};
use leakhound_syntax::ast::{DeferStmt, Expr, SelectStmt};

use crate::context::RuleContext;
use crate::rules;

pub(crate) struct Checker<'c, 'f, 'a> {
    pub ctx: &'c RuleContext<'f, 'a>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Events<'a> for Checker<'_, '_, 'a> {
    fn call(&mut self, walk: &Walk<'_, 'a>, call: &'a Expr<'a>) {
        if self.ctx.enabled(&rules::tick_leak::RULE) {
            rules::tick_leak::check(self.ctx, walk, call, &mut self.diagnostics);
        }
    }

    fn defer(&mut self, walk: &Walk<'_, 'a>, stmt: &'a DeferStmt<'a>) {
        if self.ctx.enabled(&rules::defer_in_loop::RULE) {
            rules::defer_in_loop::check(self.ctx, walk, stmt, &mut self.diagnostics);
        }
    }

    fn select(&mut self, walk: &Walk<'_, 'a>, stmt: &'a SelectStmt<'a>) {
        if self.ctx.enabled(&rules::after_in_loop::RULE) {
            rules::after_in_loop::check(self.ctx, walk, stmt, &mut self.diagnostics);
        }
    }

    fn function(&mut self, _walk: &Walk<'_, 'a>, frame: &Frame<'a>) {
        if self.ctx.enabled(&rules::range_unclosed::RULE) {
            rules::range_unclosed::check(self.ctx, frame, &mut self.diagnostics);
        }
        if self.ctx.enabled(&rules::lost_cancel::RULE) {
            rules::lost_cancel::check(self.ctx, frame, &mut self.diagnostics);
        }
        if self.ctx.enabled(&rules::ticker_not_stopped::RULE) {
            rules::ticker_not_stopped::check(self.ctx, frame, &mut self.diagnostics);
        }
    }
}
