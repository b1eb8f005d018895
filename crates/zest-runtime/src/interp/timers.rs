//! Timers in a binary heap of exactly the shape of Zeek's
//! `PriorityQueue` (`src/PriorityQueue.cc`), because equal-time timers come
//! out in that heap's order, not FIFO (`zeek-semantics.md` §2.5).

use super::QueuedEvent;

/// What a timer does when it fires.
pub enum TimerAction {
    /// A `schedule`d event: queued when the timer fires.
    Event(QueuedEvent),
    /// The timeout of a pending `when` (trigger id).
    WhenTimeout(u64),
    /// The next expiration step of a table (`TableValTimer`).
    TableExpire(std::rc::Weak<std::cell::RefCell<crate::table::TableVal>>),
    /// A timer of a native library: the function runs with the time it
    /// fires at, whether the timer manager is expiring every timer
    /// (shutdown), and the library's data.
    Native(NativeTimerFn, std::rc::Rc<dyn std::any::Any>),
}

/// See [`TimerAction::Native`].
pub type NativeTimerFn = fn(&mut crate::Interp, f64, bool, &std::rc::Rc<dyn std::any::Any>);

pub struct Timer {
    pub when: f64,
    pub action: TimerAction,
}

/// Zeek's heap: `parent(i) = i >> 1`, `left(i) = i << 1`,
/// `right(i) = (i << 1) + 1`; strict comparisons.
#[derive(Default)]
pub struct TimerHeap {
    h: Vec<Timer>,
    /// The most timers pending at once, and the timers ever scheduled
    /// (`get_timer_stats`).
    peak: usize,
    cumulative: u64,
}

fn parent(i: usize) -> usize {
    i >> 1
}
fn left(i: usize) -> usize {
    i << 1
}
fn right(i: usize) -> usize {
    (i << 1) + 1
}

impl TimerHeap {
    pub fn len(&self) -> usize {
        self.h.len()
    }

    pub fn is_empty(&self) -> bool {
        self.h.is_empty()
    }

    /// The most timers pending at once so far.
    pub fn peak(&self) -> usize {
        self.peak
    }

    /// The number of timers scheduled so far.
    pub fn cumulative(&self) -> u64 {
        self.cumulative
    }

    pub fn push(&mut self, t: Timer) {
        self.h.push(t);
        self.cumulative += 1;
        self.peak = self.peak.max(self.h.len());
        let mut i = self.h.len() - 1;
        while i > 0 && self.h[parent(i)].when > self.h[i].when {
            self.h.swap(i, parent(i));
            i = parent(i);
        }
    }

    pub fn peek_time(&self) -> Option<f64> {
        self.h.first().map(|t| t.when)
    }

    /// Removes the first timer (in heap order) that `pred` selects, as
    /// Zeek's `PriorityQueue::Remove(e)` does: the element's time is
    /// minimized, it bubbles up to the top and is removed from there.
    pub fn cancel(&mut self, pred: impl Fn(&Timer) -> bool) -> bool {
        let Some(mut i) = self.h.iter().position(pred) else {
            return false;
        };
        while i > 0 {
            self.h.swap(i, parent(i));
            i = parent(i);
        }
        self.pop();
        true
    }

    pub fn pop(&mut self) -> Option<Timer> {
        if self.h.is_empty() {
            return None;
        }
        let top = self.h.swap_remove(0);
        let n = self.h.len();
        let mut i = 0;
        loop {
            let l = left(i);
            if l >= n {
                break;
            }
            let r = right(i);
            if r >= n {
                if self.h[l].when < self.h[i].when {
                    self.h.swap(i, l);
                }
                break;
            }
            let (lt, rt) = (self.h[l].when, self.h[r].when);
            if lt < rt {
                if lt < self.h[i].when {
                    self.h.swap(i, l);
                    i = l;
                } else {
                    break;
                }
            } else if rt < self.h[i].when {
                self.h.swap(i, r);
                i = r;
            } else {
                break;
            }
        }
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(n: u32) -> Timer {
        Timer {
            when: 1.0,
            action: TimerAction::WhenTimeout(u64::from(n)),
        }
    }

    fn id(t: &Timer) -> u64 {
        match t.action {
            TimerAction::WhenTimeout(n) => n,
            _ => u64::MAX,
        }
    }

    /// `runloop/schedule-ties`: ten equal-time timers behind the hidden
    /// Broker flush timer (also at +1 s, pushed first) fire as 9 8 … 0.
    #[test]
    fn equal_times_come_out_in_heap_order() {
        let mut h = TimerHeap::default();
        h.push(Timer {
            when: 1.0,
            action: TimerAction::WhenTimeout(1000),
        });
        for i in 0..10 {
            h.push(ev(i));
        }
        let mut order = Vec::new();
        while let Some(t) = h.pop() {
            let n = id(&t);
            if n != 1000 {
                order.push(n);
            }
        }
        assert_eq!(order, vec![9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    }
}
