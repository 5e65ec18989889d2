//! Random streams. One ChaCha8 key from the user's seed; run i reads stream
//! id i of that key (never `seed + i`: neighbouring seeds would then share
//! almost all their runs). Inside run i every named process or quantity
//! owns a region of 2^36 words at an offset given by a hash of its name, so
//! adding a shock or changing one polity leaves every other draw of the run
//! where it was — that is what pairs run i of two scenarios in `compare`.

use crate::model::RandomSource;
use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

const REGION_BITS: u32 = 36;

/// Region offset (in 32-bit words) of a named process or quantity.
fn region(name: &str) -> u128 {
    let h = crate::scenario::fnv1a64(name.as_bytes());
    u128::from(h >> 32) << REGION_BITS
}

/// The 256-bit ChaCha key for a user seed: four SplitMix64 outputs, so that
/// seeds 1 and 2 give unrelated keys.
pub fn key_from_seed(seed: u64) -> [u8; 32] {
    let mut state = seed;
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    key
}

/// The region offsets of the processes and quantities; fails if two names
/// fall in one region (a 32-bit hash collision).
fn offsets(
    process_names: &[String],
    quantity_names: &[String],
) -> Result<(Vec<u128>, Vec<u128>), String> {
    let process_offsets: Vec<u128> = process_names.iter().map(|n| region(n)).collect();
    let quantity_offsets: Vec<u128> = quantity_names.iter().map(|n| region(n)).collect();
    let mut all: Vec<(u128, &String)> = process_offsets
        .iter()
        .copied()
        .zip(process_names)
        .chain(quantity_offsets.iter().copied().zip(quantity_names))
        .collect();
    all.sort();
    if let Some(w) = all.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!(
            "`{}` and `{}` hash to the same random stream; rename one of them",
            w[0].1, w[1].1
        ));
    }
    Ok((process_offsets, quantity_offsets))
}

/// The generators of one worker, re-aimed at each run it does.
pub struct Streams {
    run: u64,
    processes: Vec<ChaCha8Rng>,
    process_offsets: Vec<u128>,
    sampler: ChaCha8Rng,
    /// The run `sampler` is aimed at: setting the stream costs as much as
    /// a short draw, so it is done once per run, not once per quantity.
    sampler_run: Option<u64>,
    quantity_offsets: Vec<u128>,
}

impl Streams {
    /// Fails if two names fall in one region (a 32-bit hash collision).
    pub fn new(
        seed: u64,
        process_names: &[String],
        quantity_names: &[String],
    ) -> Result<Streams, String> {
        let key = key_from_seed(seed);
        let (process_offsets, quantity_offsets) = offsets(process_names, quantity_names)?;
        Ok(Streams {
            run: 0,
            processes: process_names
                .iter()
                .map(|_| ChaCha8Rng::from_seed(key))
                .collect(),
            process_offsets,
            sampler: ChaCha8Rng::from_seed(key),
            sampler_run: None,
            quantity_offsets,
        })
    }

    /// Aim every process generator at the start of its region in run `run`.
    pub fn start_run(&mut self, run: u64) {
        self.run = run;
        // Position first, then stream: regions start on a block boundary, so
        // `set_word_pos` only marks the buffer empty, and `set_stream` on an
        // empty buffer generates nothing (the other order makes rand_chacha
        // regenerate the old position's block for nothing). Nothing is
        // generated until the run draws.
        for (rng, offset) in self.processes.iter_mut().zip(&self.process_offsets) {
            rng.set_word_pos(*offset);
            rng.set_stream(run);
        }
    }
}

/// One region's words in the current run, kept so that the next point of
/// a design reads them again instead of generating them again: every point
/// of a sweep, a Sobol design or a calibration wave reads the same streams
/// of run r (common random numbers), and generating them was a quarter of
/// a run in the experiment core. The words are ChaCha8's own, in order, and
/// `next_u64` and `fill_bytes` take them as `rand_chacha` does (low word
/// first; a partial word at the end of `fill_bytes` is used up), so a
/// taped draw is the same bits as a fresh one.
pub struct Taped {
    words: Vec<u32>,
    pos: usize,
    rng: ChaCha8Rng,
    offset: u128,
    run: u64,
    /// `rng` is aimed at this run's region only once a point reads past the
    /// tape: a region nobody reads (a swing without an election) costs nothing.
    aimed: bool,
}

/// Words generated at a time when a point reads past the tape.
const TAPE_GRAIN: usize = 16;

impl Taped {
    fn new(key: [u8; 32], offset: u128) -> Taped {
        Taped {
            words: Vec::new(),
            pos: 0,
            rng: ChaCha8Rng::from_seed(key),
            offset,
            run: 0,
            aimed: false,
        }
    }

    fn start_run(&mut self, run: u64) {
        self.words.clear();
        self.pos = 0;
        self.run = run;
        self.aimed = false;
    }

    #[inline]
    fn word(&mut self) -> u32 {
        if self.pos == self.words.len() {
            self.extend();
        }
        let w = self.words[self.pos];
        self.pos += 1;
        w
    }

    #[cold]
    fn extend(&mut self) {
        if !self.aimed {
            // As in `Streams::start_run`: position, then stream.
            self.rng.set_word_pos(self.offset);
            self.rng.set_stream(self.run);
            self.aimed = true;
        }
        for _ in 0..TAPE_GRAIN {
            self.words.push(self.rng.next_u32());
        }
    }
}

impl rand::TryRng for Taped {
    type Error = std::convert::Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.word())
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        // Most draws find both words on the tape: one check for the two.
        let (lo, hi) = match self.words.get(self.pos..self.pos + 2) {
            Some(&[lo, hi]) => {
                self.pos += 2;
                (lo, hi)
            }
            _ => (self.word(), self.word()),
        };
        Ok((u64::from(hi) << 32) | u64::from(lo))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(4) {
            let w = self.word().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}

/// The streams of one worker in the experiment core: as [`Streams`], but
/// each region's words are kept for the run, so that [`TapedStreams::rewind`]
/// lets the next design point read the same run again at no cost.
pub struct TapedStreams {
    processes: Vec<Taped>,
    quantities: Vec<Taped>,
}

impl TapedStreams {
    /// Fails as [`Streams::new`] does.
    pub fn new(
        seed: u64,
        process_names: &[String],
        quantity_names: &[String],
    ) -> Result<TapedStreams, String> {
        let (process_offsets, quantity_offsets) = offsets(process_names, quantity_names)?;
        let key = key_from_seed(seed);
        let taped = |offsets: Vec<u128>| offsets.into_iter().map(|o| Taped::new(key, o)).collect();
        Ok(TapedStreams {
            processes: taped(process_offsets),
            quantities: taped(quantity_offsets),
        })
    }

    /// Forget the last run's words; the next reads are run `run`'s.
    pub fn start_run(&mut self, run: u64) {
        for t in self.processes.iter_mut().chain(&mut self.quantities) {
            t.start_run(run);
        }
    }

    /// Read the current run again from its start.
    pub fn rewind(&mut self) {
        for t in &mut self.processes {
            t.pos = 0;
        }
    }
}

impl RandomSource for TapedStreams {
    type R = Taped;

    fn process(&mut self, i: usize) -> &mut Taped {
        &mut self.processes[i]
    }

    fn quantity(&mut self, i: usize) -> &mut Taped {
        let q = &mut self.quantities[i];
        q.pos = 0;
        q
    }
}

impl RandomSource for Streams {
    type R = ChaCha8Rng;

    fn process(&mut self, i: usize) -> &mut ChaCha8Rng {
        &mut self.processes[i]
    }

    fn quantity(&mut self, i: usize) -> &mut ChaCha8Rng {
        // As in `start_run`: position, then (once a run) stream.
        self.sampler.set_word_pos(self.quantity_offsets[i]);
        if self.sampler_run != Some(self.run) {
            self.sampler.set_stream(self.run);
            self.sampler_run = Some(self.run);
        }
        &mut self.sampler
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_run_depends_on_its_index_and_seed_only() {
        let p = names(&["a", "b"]);
        let mut s1 = Streams::new(5, &p, &[]).unwrap();
        let mut s2 = Streams::new(5, &p, &[]).unwrap();
        s1.start_run(3);
        let x = s1.process(0).next_u64();
        s2.start_run(7);
        s2.process(0).next_u64();
        s2.start_run(3);
        assert_eq!(s2.process(0).next_u64(), x, "run 3 must not remember run 7");
        s1.start_run(4);
        assert_ne!(s1.process(0).next_u64(), x, "runs differ");
        let mut s3 = Streams::new(6, &p, &[]).unwrap();
        s3.start_run(3);
        assert_ne!(s3.process(0).next_u64(), x, "seeds differ");
    }

    #[test]
    fn adding_a_process_leaves_the_others_alone() {
        let mut a = Streams::new(1, &names(&["x", "y"]), &names(&["q"])).unwrap();
        let mut b = Streams::new(1, &names(&["new", "x", "y"]), &names(&["q"])).unwrap();
        a.start_run(9);
        b.start_run(9);
        assert_eq!(a.process(1).next_u64(), b.process(2).next_u64());
        assert_eq!(a.quantity(0).next_u64(), b.quantity(0).next_u64());
        assert_ne!(a.process(0).next_u64(), a.process(1).next_u64());
    }

    /// Reads of every width, across ChaCha's 64-word buffers, byte fills
    /// that end inside a word, and a second pass after `rewind`.
    fn reads<R: Rng>(r: &mut R, out: &mut Vec<u64>) {
        for i in 0..300 {
            match i % 5 {
                0 | 3 => out.push(r.next_u64()),
                1 => out.push(u64::from(r.next_u32())),
                2 => {
                    let mut b = [0u8; 7];
                    r.fill_bytes(&mut b);
                    out.push(u64::from_le_bytes([
                        b[0], b[1], b[2], b[3], b[4], b[5], b[6], 0,
                    ]));
                }
                _ => {
                    let mut b = [0u8; 2];
                    r.fill_bytes(&mut b);
                    out.push(u64::from(u16::from_le_bytes(b)));
                }
            }
        }
    }

    #[test]
    fn taped_streams_give_the_words_of_fresh_ones_on_every_pass() {
        let (p, q) = (names(&["a", "b", "c"]), names(&["q", "r"]));
        let mut fresh = Streams::new(11, &p, &q).unwrap();
        let mut taped = TapedStreams::new(11, &p, &q).unwrap();
        for run in [0, 5, 1 << 40] {
            fresh.start_run(run);
            let mut want = Vec::new();
            for i in [1, 0, 2] {
                reads(fresh.process(i), &mut want);
            }
            for j in [1, 0, 1] {
                reads(fresh.quantity(j), &mut want);
            }
            taped.start_run(run);
            for pass in 0..3 {
                taped.rewind();
                let mut got = Vec::new();
                for i in [1, 0, 2] {
                    reads(taped.process(i), &mut got);
                }
                for j in [1, 0, 1] {
                    reads(taped.quantity(j), &mut got);
                }
                assert_eq!(got, want, "run {run}, pass {pass}");
            }
        }
        assert!(TapedStreams::new(1, &names(&["x", "x"]), &[]).is_err());
    }

    #[test]
    fn a_point_that_reads_further_than_the_one_before_extends_the_tape() {
        let p = names(&["a"]);
        let mut fresh = Streams::new(3, &p, &[]).unwrap();
        let mut taped = TapedStreams::new(3, &p, &[]).unwrap();
        fresh.start_run(8);
        let want: Vec<u32> = (0..500).map(|_| fresh.process(0).next_u32()).collect();
        taped.start_run(8);
        // 10 words, then 500, then 130: each pass from the start of the run.
        for n in [10, 500, 130] {
            taped.rewind();
            let got: Vec<u32> = (0..n).map(|_| taped.process(0).next_u32()).collect();
            assert_eq!(got, want[..n], "a pass of {n} words");
        }
    }

    #[test]
    fn a_quantity_restarts_its_region_on_every_call() {
        let mut s = Streams::new(1, &[], &names(&["q", "r"])).unwrap();
        s.start_run(2);
        let x = s.quantity(0).next_u64();
        s.quantity(1).next_u64();
        assert_eq!(s.quantity(0).next_u64(), x);
    }
}
