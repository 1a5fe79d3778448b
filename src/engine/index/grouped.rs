//! An FST from keys to groups of `u32` members (token ordinals or name ids): the index's
//! phonetic keys, deletion keys and whole-name keys.

use serde::{Deserialize, Serialize};

use super::{check_below, check_offsets, exact_vec, fst_bytes};

/// An FST from keys to groups of `u32` members (token ordinals or name ids).
#[derive(Serialize, Deserialize)]
pub(crate) struct GroupedFst {
    #[serde(with = "fst_bytes")]
    fst: fst::Map<Vec<u8>>,
    #[serde(deserialize_with = "exact_vec")]
    start: Vec<u32>,
    #[serde(deserialize_with = "exact_vec")]
    members: Vec<u32>,
}

impl GroupedFst {
    /// Builds from `(key, member)` pairs in any order; duplicates are dropped.
    pub(crate) fn build(mut pairs: Vec<(String, u32)>) -> Result<GroupedFst, fst::Error> {
        pairs.sort_unstable();
        pairs.dedup();
        let mut builder = fst::MapBuilder::memory();
        let mut start = Vec::new();
        let mut members = Vec::with_capacity(pairs.len());
        let mut last: Option<&str> = None;
        for (key, member) in &pairs {
            if last != Some(key.as_str()) {
                builder.insert(key, start.len() as u64)?;
                start.push(members.len() as u32);
                last = Some(key);
            }
            members.push(*member);
        }
        start.push(members.len() as u32);
        Ok(GroupedFst {
            fst: builder.into_map(),
            start,
            members,
        })
    }

    pub(crate) fn get(&self, key: &str) -> &[u32] {
        self.fst.get(key).map_or(&[], |g| self.group(g))
    }

    /// Calls `found` with every key beginning with `prefix` and its group, in key order.
    pub(crate) fn with_prefix(&self, prefix: &str, mut found: impl FnMut(&str, &[u32])) {
        use fst::{Automaton, IntoStreamer, Streamer};
        let mut stream = self
            .fst
            .search(fst::automaton::Str::new(prefix).starts_with())
            .into_stream();
        while let Some((key, g)) = stream.next() {
            // Keys are inserted from `String`s, so they are UTF-8.
            if let Ok(key) = std::str::from_utf8(key) {
                found(key, self.group(g));
            }
        }
    }

    /// The members of group `g`. Bounds-checked: the FST's values are not verified when a
    /// snapshot file is read.
    fn group(&self, g: u64) -> &[u32] {
        let g = g as usize;
        match (self.start.get(g), self.start.get(g + 1)) {
            (Some(&a), Some(&b)) => self.members.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Calls `found` with the group of `word` and of every other word made from it by
    /// deleting at most `max` of its bytes, each such word once. One walk of the FST: the
    /// words that share a prefix share its steps, where a lookup per word would walk each
    /// from the root (a 10-letter word has 11 words within one deletion and 56 within two).
    pub(crate) fn deleted_groups(&self, word: &[u8], max: usize, mut found: impl FnMut(&[u32])) {
        let fst = self.fst.as_fst();
        let start = Step {
            node: fst.root(),
            out: fst::raw::Output::zero(),
            at: 0,
            left: max,
            deleted_last: false,
        };
        self.walk_deleting(fst, word, start, &mut found);
    }

    fn walk_deleting<'f>(
        &self,
        fst: &'f fst::raw::Fst<Vec<u8>>,
        word: &[u8],
        step: Step<'f>,
        found: &mut impl FnMut(&[u32]),
    ) {
        let Some(&b) = word.get(step.at) else {
            if step.node.is_final() {
                found(self.group(step.out.cat(step.node.final_output()).value()));
            }
            return;
        };
        if let Some(i) = step.node.find_input(b) {
            let t = step.node.transition(i);
            let next = Step {
                node: fst.node(t.addr),
                out: step.out.cat(t.out),
                at: step.at + 1,
                left: step.left,
                deleted_last: false,
            };
            self.walk_deleting(fst, word, next, found);
        }
        // Of a run of equal bytes only the first ones are deleted: deleting either of "ll"
        // makes the same word.
        let repeat = step.at > 0 && word[step.at - 1] == b && !step.deleted_last;
        if step.left > 0 && !repeat {
            let next = Step {
                at: step.at + 1,
                left: step.left - 1,
                deleted_last: true,
                ..step
            };
            self.walk_deleting(fst, word, next, found);
        }
    }

    /// Checks group offsets and that every member is below `bound`.
    pub(super) fn check(&self, what: &str, bound: usize) -> Result<(), String> {
        check_offsets(what, &self.start, self.members.len())?;
        check_below(what, &self.members, bound)
    }
}

/// Where a walk of [`GroupedFst::deleted_groups`] stands: at `node` after the bytes before
/// `at`, with `left` deletions still allowed.
#[derive(Clone, Copy)]
struct Step<'f> {
    node: fst::raw::Node<'f>,
    out: fst::raw::Output,
    at: usize,
    left: usize,
    deleted_last: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(pairs: &[(&str, u32)]) -> GroupedFst {
        GroupedFst::build(pairs.iter().map(|&(k, m)| (k.to_string(), m)).collect()).unwrap()
    }

    fn deleted(g: &GroupedFst, word: &str, max: usize) -> Vec<u32> {
        let mut found = Vec::new();
        g.deleted_groups(word.as_bytes(), max, |group| found.extend_from_slice(group));
        found.sort_unstable();
        found
    }

    #[test]
    fn deleted_groups_reach_every_word_within_the_deletions_once() {
        // Keys: the word itself, one deletion, two deletions, three (too many), others.
        let g = groups(&[
            ("gazprom", 1),
            ("gazpom", 2),
            ("azprom", 3),
            ("gzprm", 4),
            ("gzpm", 5),
            ("gazpromx", 6),
            ("", 7),
        ]);
        assert_eq!(deleted(&g, "gazprom", 0), [1]);
        assert_eq!(deleted(&g, "gazprom", 1), [1, 2, 3]);
        assert_eq!(deleted(&g, "gazprom", 2), [1, 2, 3, 4]);
        assert_eq!(deleted(&g, "ab", 2), [7]);
    }

    #[test]
    fn a_run_of_equal_letters_is_deleted_from_once() {
        // "ball" less one "l" is "bal" whichever "l" goes: found once, not twice.
        let g = groups(&[("bal", 1), ("bl", 2), ("ba", 3)]);
        assert_eq!(deleted(&g, "ball", 1), [1]);
        assert_eq!(deleted(&g, "ball", 2), [1, 2, 3]);
    }
}
