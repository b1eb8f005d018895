//! Broker's channel (`internal/channel.hh`): reliable, ordered delivery of
//! store commands from one producer to several consumers over pub/sub,
//! with sequence numbers, cumulative ACKs, NACKs, retransmits and
//! heartbeats (`docs/broker-protocol.md` §5.3). Time is counted in ticks.
//!
//! Both sides are plain state machines: every method appends what the
//! owning store must send (or apply) to an output list.

use std::collections::VecDeque;
use zest_broker::store::{EntityId, InternalCommand};

/// `broker.store.heartbeat-interval` (ticks).
pub const HEARTBEAT_INTERVAL: u16 = 5;
/// `broker.store.nack-timeout` (ticks).
pub const NACK_TIMEOUT: u16 = 2;
/// `broker.store.connection-timeout` (a factor of the heartbeat interval).
pub const CONNECTION_TIMEOUT: u16 = 100;

/// What a producer asks its owner to do.
#[derive(Debug)]
pub enum ProducerOut {
    /// An event for every consumer.
    Broadcast(InternalCommand),
    /// An event (retransmitted) for one consumer.
    Send(EntityId, InternalCommand),
    /// The handshake for one consumer.
    Handshake {
        to: EntityId,
        offset: u64,
        heartbeat_interval: u16,
    },
    RetransmitFailed(EntityId, u64),
    Heartbeat(u64),
    /// A consumer was removed (timeout or a bad NACK).
    Drop(EntityId),
    HandshakeCompleted(EntityId),
}

#[derive(Clone, Debug)]
pub struct Path {
    pub hdl: EntityId,
    pub offset: u64,
    pub acked: u64,
    pub last_seen: u64,
}

pub struct Producer {
    seq: u64,
    tick: u64,
    last_broadcast: u64,
    buf: VecDeque<(u64, InternalCommand)>,
    paths: Vec<Path>,
    heartbeat_interval: u16,
    connection_timeout_factor: u16,
}

impl Default for Producer {
    fn default() -> Self {
        Producer {
            seq: 1,
            tick: 0,
            last_broadcast: 0,
            buf: VecDeque::new(),
            paths: Vec::new(),
            heartbeat_interval: HEARTBEAT_INTERVAL,
            connection_timeout_factor: CONNECTION_TIMEOUT,
        }
    }
}

impl Producer {
    /// The sequence number the next event gets.
    pub fn next_seq(&self) -> u64 {
        self.seq + 1
    }

    pub fn heartbeat_interval(&self) -> u16 {
        self.heartbeat_interval
    }

    pub fn paths(&self) -> &[Path] {
        &self.paths
    }

    pub fn paths_mut(&mut self) -> &mut [Path] {
        &mut self.paths
    }

    /// Sends an event to every consumer; without consumers it is dropped
    /// and uses no sequence number. `cmd.seq` must be [`Self::next_seq`].
    pub fn produce(&mut self, cmd: InternalCommand, out: &mut Vec<ProducerOut>) {
        if self.paths.is_empty() {
            return;
        }
        self.seq += 1;
        self.buf.push_back((self.seq, cmd.clone()));
        self.last_broadcast = self.tick;
        out.push(ProducerOut::Broadcast(cmd));
    }

    /// Adds a consumer and sends it the handshake.
    pub fn add(&mut self, hdl: EntityId, out: &mut Vec<ProducerOut>) -> bool {
        if self.paths.iter().any(|p| p.hdl == hdl) {
            return false;
        }
        self.paths.push(Path {
            hdl,
            offset: self.seq,
            acked: 0,
            last_seen: self.tick,
        });
        out.push(ProducerOut::Handshake {
            to: hdl,
            offset: self.seq,
            heartbeat_interval: self.heartbeat_interval,
        });
        true
    }

    fn trim(&mut self, acked: u64) {
        while self.buf.front().is_some_and(|(s, _)| *s <= acked) {
            self.buf.pop_front();
        }
    }

    pub fn handle_ack(&mut self, hdl: EntityId, seq: u64, out: &mut Vec<ProducerOut>) {
        let mut acked = seq;
        for x in &mut self.paths {
            if x.hdl == hdl {
                if x.acked > seq {
                    return;
                }
                x.last_seen = self.tick;
                if x.acked == 0 {
                    out.push(ProducerOut::HandshakeCompleted(hdl));
                } else if x.acked == seq {
                    return;
                }
                x.acked = seq;
            } else {
                acked = acked.min(x.acked);
            }
        }
        self.trim(acked);
    }

    pub fn handle_nack(&mut self, hdl: EntityId, seqs: &[u64], out: &mut Vec<ProducerOut>) {
        let Some(&first) = seqs.first() else {
            return;
        };
        let Some(i) = self.paths.iter().position(|p| p.hdl == hdl) else {
            if seqs == [0] {
                self.add(hdl, out);
            }
            return;
        };
        self.paths[i].last_seen = self.tick;
        if seqs.len() > 1 && !seqs.windows(2).all(|w| w[0] <= w[1]) {
            out.push(ProducerOut::Drop(hdl));
            self.paths.remove(i);
            return;
        }
        if first == 0 {
            let offset = self.paths[i].offset;
            out.push(ProducerOut::Handshake {
                to: hdl,
                offset,
                heartbeat_interval: self.heartbeat_interval,
            });
            return;
        }
        self.handle_ack(hdl, first - 1, out);
        for &seq in seqs {
            match self.buf.iter().find(|(s, _)| *s == seq) {
                Some((_, e)) => out.push(ProducerOut::Send(hdl, e.clone())),
                None => out.push(ProducerOut::RetransmitFailed(hdl, seq)),
            }
        }
    }

    pub fn tick(&mut self, out: &mut Vec<ProducerOut>) {
        self.tick += 1;
        if self.heartbeat_interval == 0 {
            return;
        }
        if self.last_broadcast + u64::from(self.heartbeat_interval) == self.tick {
            self.last_broadcast = self.tick;
            out.push(ProducerOut::Heartbeat(self.seq));
        }
        let timeout =
            u64::from(self.heartbeat_interval) * u64::from(self.connection_timeout_factor);
        let before = self.paths.len();
        let tick = self.tick;
        self.paths.retain(|p| {
            if tick - p.last_seen >= timeout {
                out.push(ProducerOut::Drop(p.hdl));
                false
            } else {
                true
            }
        });
        if self.paths.is_empty() {
            self.buf.clear();
        } else if self.paths.len() < before {
            let acked = self.paths.iter().map(|p| p.acked).min().unwrap_or(0);
            self.trim(acked);
        }
    }

    /// Every consumer has acknowledged everything.
    pub fn idle(&self) -> bool {
        self.paths.iter().all(|p| p.acked == self.seq)
    }
}

/// What a consumer asks its owner to do.
#[derive(Debug)]
pub enum ConsumerOut {
    Consume(InternalCommand),
    /// A permanent hole at the next position (`consume_nil`).
    Nil,
    Ack(u64),
    Nack(Vec<u64>),
}

pub struct Consumer {
    producer: EntityId,
    next_seq: u64,
    last_seq: u64,
    buf: VecDeque<(u64, Option<InternalCommand>)>,
    tick: u64,
    last_tick_seq: u64,
    idle_ticks: u16,
    heartbeat_interval: u16,
    nack_timeout: u16,
    /// A lost event ends the channel (a clone) instead of being skipped
    /// (the master's writer channels).
    nil_is_fatal: bool,
}

impl Consumer {
    pub fn new(nil_is_fatal: bool) -> Consumer {
        Consumer {
            producer: EntityId::NIL,
            next_seq: 0,
            last_seq: 0,
            buf: VecDeque::new(),
            tick: 0,
            last_tick_seq: 0,
            idle_ticks: 0,
            heartbeat_interval: HEARTBEAT_INTERVAL,
            nack_timeout: NACK_TIMEOUT,
            nil_is_fatal,
        }
    }

    pub fn producer(&self) -> EntityId {
        self.producer
    }

    pub fn set_producer(&mut self, p: EntityId) {
        self.producer = p;
    }

    pub fn initialized(&self) -> bool {
        self.next_seq != 0
    }

    pub fn idle(&self) -> bool {
        self.initialized() && self.buf.is_empty() && self.next_seq == self.last_seq
    }

    /// The producer's handshake; false if already initialized.
    pub fn handle_handshake(
        &mut self,
        offset: u64,
        heartbeat_interval: u16,
        out: &mut Vec<ConsumerOut>,
    ) -> bool {
        if self.initialized() {
            return false;
        }
        self.next_seq = offset + 1;
        self.last_seq = self.next_seq;
        self.heartbeat_interval = heartbeat_interval;
        while self.buf.front().is_some_and(|(s, _)| *s <= offset) {
            self.buf.pop_front();
        }
        if !self.try_consume_buffer(out) {
            return true;
        }
        out.push(ConsumerOut::Ack(self.next_seq.saturating_sub(1)));
        true
    }

    pub fn handle_heartbeat(&mut self, seq: u64) {
        if self.last_seq == 0 || seq == 0 {
            return;
        }
        if seq + 1 > self.last_seq {
            self.last_seq = seq + 1;
        }
    }

    /// Buffers `item` at `seq` in order; an existing hole is filled.
    fn insert(&mut self, seq: u64, item: Option<InternalCommand>) {
        match self.buf.iter().position(|(s, _)| *s >= seq) {
            None => self.buf.push_back((seq, item)),
            Some(i) if self.buf[i].0 != seq => self.buf.insert(i, (seq, item)),
            Some(i) => {
                if self.buf[i].1.is_none() && item.is_some() {
                    self.buf[i].1 = item;
                }
            }
        }
    }

    pub fn handle_event(&mut self, seq: u64, cmd: InternalCommand, out: &mut Vec<ConsumerOut>) {
        if self.next_seq == seq {
            out.push(ConsumerOut::Consume(cmd));
            self.bump_seq();
            self.try_consume_buffer(out);
        } else if seq > self.next_seq {
            if seq > self.last_seq {
                self.last_seq = seq;
            }
            self.insert(seq, Some(cmd));
        }
    }

    pub fn handle_retransmit_failed(&mut self, seq: u64, out: &mut Vec<ConsumerOut>) {
        if self.next_seq == seq {
            out.push(ConsumerOut::Nil);
            if self.nil_is_fatal {
                self.reset();
                return;
            }
            self.bump_seq();
            self.try_consume_buffer(out);
        } else if seq > self.next_seq {
            match self.buf.iter().position(|(s, _)| *s >= seq) {
                None => self.buf.push_back((seq, None)),
                Some(i) if self.buf[i].0 != seq => self.buf.insert(i, (seq, None)),
                Some(_) => {}
            }
        }
    }

    pub fn tick(&mut self, out: &mut Vec<ConsumerOut>) {
        self.tick += 1;
        if !self.initialized() {
            self.idle_ticks += 1;
            if self.idle_ticks >= self.nack_timeout {
                self.idle_ticks = 0;
                out.push(ConsumerOut::Nack(vec![0]));
            }
            return;
        }
        let num_ticks = self.tick - 1;
        let hb = u64::from(self.heartbeat_interval);
        let progressed = self.next_seq > self.last_tick_seq;
        self.last_tick_seq = self.next_seq;
        if progressed {
            self.idle_ticks = 0;
            if hb > 0 && num_ticks % hb == 0 {
                out.push(ConsumerOut::Ack(self.next_seq - 1));
            }
            return;
        }
        self.idle_ticks = self.idle_ticks.saturating_add(1);
        if self.next_seq < self.last_seq && self.idle_ticks >= self.nack_timeout {
            self.idle_ticks = 0;
            let mut seqs = Vec::new();
            let mut i = self.next_seq;
            let mut gen = |found: u64, seqs: &mut Vec<u64>| {
                while i < found {
                    seqs.push(i);
                    i += 1;
                }
                i += 1;
            };
            for (s, _) in &self.buf {
                gen(*s, &mut seqs);
            }
            gen(self.last_seq, &mut seqs);
            out.push(ConsumerOut::Nack(seqs));
            return;
        }
        if hb > 0 && num_ticks % hb == 0 {
            out.push(ConsumerOut::Ack(self.next_seq - 1));
        }
    }

    /// Back to the uninitialized state (after a fatal hole).
    pub fn reset(&mut self) {
        self.producer = EntityId::NIL;
        self.next_seq = 0;
        self.last_seq = 0;
        self.buf.clear();
        self.tick = 0;
        self.last_tick_seq = 0;
        self.idle_ticks = 0;
        self.heartbeat_interval = 0;
        self.nack_timeout = 5;
    }

    fn bump_seq(&mut self) {
        self.next_seq += 1;
        if self.next_seq > self.last_seq {
            self.last_seq = self.next_seq;
        }
    }

    /// Delivers buffered events that are now in order; false when a fatal
    /// hole reset the channel.
    fn try_consume_buffer(&mut self, out: &mut Vec<ConsumerOut>) -> bool {
        while self.buf.front().is_some_and(|(s, _)| *s == self.next_seq) {
            let Some((_, item)) = self.buf.pop_front() else {
                break;
            };
            match item {
                Some(c) => out.push(ConsumerOut::Consume(c)),
                None => {
                    out.push(ConsumerOut::Nil);
                    if self.nil_is_fatal {
                        self.reset();
                        return false;
                    }
                }
            }
            self.bump_seq();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zest_broker::store::Command;

    fn ev(seq: u64) -> InternalCommand {
        InternalCommand {
            seq,
            sender: EntityId::NIL,
            receiver: EntityId::NIL,
            command: Command::Keepalive { seq },
        }
    }

    #[test]
    fn in_order_gaps_and_nacks() {
        let mut p = Producer::default();
        let mut po = Vec::new();
        let c1 = EntityId {
            endpoint: zest_broker::EndpointId([1; 16]),
            object: 7,
        };
        p.handle_nack(c1, &[0], &mut po);
        assert!(matches!(po[0], ProducerOut::Handshake { offset: 1, .. }));
        let mut c = Consumer::new(true);
        let mut co = Vec::new();
        assert!(c.handle_handshake(1, 5, &mut co));
        assert!(matches!(co[..], [ConsumerOut::Ack(1)]));
        p.handle_ack(c1, 1, &mut po);
        for _ in 0..3 {
            let s = p.next_seq();
            p.produce(ev(s), &mut po);
        }
        co.clear();
        // 2 lost, 3 and 4 arrive.
        c.handle_event(3, ev(3), &mut co);
        c.handle_event(4, ev(4), &mut co);
        assert!(co.is_empty());
        for _ in 0..3 {
            c.tick(&mut co);
        }
        let nack = co.iter().find_map(|o| match o {
            ConsumerOut::Nack(s) => Some(s.clone()),
            _ => None,
        });
        assert_eq!(nack, Some(vec![2]));
        po.clear();
        p.handle_nack(c1, &[2], &mut po);
        let resent = po.iter().find_map(|o| match o {
            ProducerOut::Send(_, e) => Some(e.seq),
            _ => None,
        });
        assert_eq!(resent, Some(2));
        co.clear();
        c.handle_event(2, ev(2), &mut co);
        let seqs: Vec<u64> = co
            .iter()
            .filter_map(|o| match o {
                ConsumerOut::Consume(e) => Some(e.seq),
                _ => None,
            })
            .collect();
        assert_eq!(seqs, vec![2, 3, 4]);
        assert!(c.idle());
    }
}
