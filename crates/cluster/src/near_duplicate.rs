//! Near-duplicate texts: telling a syndicated copy of a report (the same wire text republished under
//! another headline, with a sentence added or cut, its last paragraphs trimmed, another dateline or
//! byline, other quote marks) from an independent report of the same event, so that the copy can be
//! linked to the original instead of being stored as a new report.
//!
//! A [`Signature`] is a MinHash of a text's word shingles (runs of [`SHINGLE_WORDS`] consecutive
//! words) with the number of distinct shingles, enough to estimate both the Jaccard similarity of two
//! texts and how much of the shorter one the longer contains; [`Signature::is_copy_of`] decides.
//! [`NearDuplicates`] finds copies among recent signatures through locality-sensitive hashing (bands of
//! the signature) rather than by comparing with every stored one. Pure: no I/O; signatures go to
//! storage as bytes ([`Signature::to_bytes`]) and the caller rebuilds the index from them.
//!
//! ```
//! use parallax_cluster::{NearDuplicates, Signature};
//! use parallax_core::ArticleId;
//!
//! let wire = "Rescue crews pulled 43 survivors from the water after the ferry Saltwren capsized in a \
//!     sudden storm in Marrow Bay on Tuesday evening, the coast guard said. Nine people died. The vessel \
//!     was crossing from Port Ellery to Skerrin Island with 56 passengers and crew on board.";
//! let mut index = NearDuplicates::new(10_000);
//! index.insert(ArticleId(1), Signature::of_text(wire).unwrap());
//!
//! let copy = format!("PORT ELLERY: {wire} The ferry was built in 1987.");
//! let (original, containment) = index.find_copy(&Signature::of_text(&copy).unwrap()).unwrap();
//! assert_eq!(original, ArticleId(1));
//! assert!(containment > 0.8);
//! ```

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use parallax_core::ArticleId;

/// Words per shingle. Shorter shingles tolerate scattered edits better but are shared by chance
/// between independent reports ("said in a statement"); five keeps those chance overlaps a few percent
/// of a text while a copy keeps most of its shingles.
pub const SHINGLE_WORDS: usize = 5;

/// Below this many words (a sentence or two) a text has too few shingles for its signature to mean
/// anything: one changed word would undo a fifth of it, one shared phrase would make a "copy".
pub const MIN_WORDS: usize = 25;

/// Distinct shingles of a text of [`MIN_WORDS`] words.
const MIN_SHINGLES: usize = MIN_WORDS - SHINGLE_WORDS + 1;

/// A copy has at least this share of the shorter text's shingles in the longer: a trimmed,
/// re-headlined or lightly edited copy stays well above it, while independent reports of one event,
/// even sharing a quote or two, stay below a third. Wire stories rewritten by each outlet fall between
/// and count as copies only when lightly touched.
pub const COPY_CONTAINMENT: f32 = 0.8;

/// The shorter text must have at least this share of the longer one's shingles: a copy trimmed to its
/// first fifth still counts, but a paragraph quoted inside a long analysis does not. It also bounds
/// the error of the containment estimate, which grows as one text gets smaller than the other: at
/// this ratio a text sharing half its shingles passes for a copy about once in a hundred, one sharing
/// a third never.
pub const MIN_SIZE_RATIO: f32 = 0.2;

/// The shorter text needs this many distinct shingles (two or three sentences) for containment to
/// speak for it: a shorter one may be no more than a statement that independent reports quote in
/// full, so it is a copy only when the two are nearly equal ([`SHORT_COPY_JACCARD`]).
pub const MIN_CONTAINED_SHINGLES: u32 = 40;

/// How similar two texts must be when the shorter is below [`MIN_CONTAINED_SHINGLES`].
pub const SHORT_COPY_JACCARD: f32 = 0.6;

/// Hash functions in a signature: the Jaccard estimate's standard error is at most 0.045, and a
/// signature of 1,000 words takes about 0.1 ms.
const HASHES: usize = 128;

/// The index files each text under the values of this many of its hash functions (bands of one row);
/// texts sharing one are compared. The chance to be compared is 1 - (1 - J)^32: 99.5% at J = 0.15,
/// about the lowest Jaccard a copy has (80% of a text a fifth the size of the original), and still
/// two in three for independent reports sharing a few sentences, which costs little: comparing two
/// signatures takes nanoseconds. Longer bands would save those comparisons but miss trimmed copies.
const BANDS: usize = 32;

/// The first byte of [`Signature::to_bytes`]. Any change to how signatures are computed (shingles,
/// hashing, seeds) must change it, so that stored signatures are recomputed instead of compared with
/// incompatible ones.
const FORMAT_VERSION: u8 = 1;

/// Version, shingle count, then the minimum of each hash function.
const ENCODED_LEN: usize = 1 + 4 + 4 * HASHES;

/// Seeds the word hash; any fixed value would do, but changing it changes every signature.
const WORD_SEED: u64 = 0x5041_5241_4c4c_4158;

/// Seeds of the hash functions, spread by splitmix64 so that the functions are independent. Each
/// seed makes two: the low and high halves of one 64-bit hash, which halves the cost of a signature.
const SEEDS: [u64; HASHES / 2] = {
    let mut seeds = [0; HASHES / 2];
    let mut state: u64 = 0x6e65_6172_2d64_7570;
    let mut i = 0;
    while i < HASHES / 2 {
        state = state.wrapping_add(GOLDEN);
        seeds[i] = mix(state);
        i += 1;
    }
    seeds
};

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The splitmix64 finaliser: a bijection on 64 bits where every input bit moves every output bit, and
/// the same on every platform and build (unlike std's hashers, which are seeded per process).
const fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// What a text looks like to copy detection: a MinHash of its word shingles and how many distinct
/// shingles it has (the size is what turns a Jaccard estimate into a containment estimate).
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    /// For each hash function, the smallest hash among the shingles. Two texts agree on a function
    /// when their smallest shingle is the same, which happens as often as their Jaccard similarity; 32
    /// bits make agreement between different shingles too rare to matter (a pair in 100,000 gains one).
    minima: [u32; HASHES],
    shingles: u32,
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signature").field("shingles", &self.shingles).finish_non_exhaustive()
    }
}

impl Signature {
    /// The signature of a text, or `None` when it has fewer than [`MIN_WORDS`] words (or repeats a
    /// few of them over and over, which leaves as few distinct shingles).
    ///
    /// Words are the runs of letters and digits, lower-cased, so punctuation, quote styles and line
    /// breaks do not matter. Give the article's body: a headline is harmless, but copies often change
    /// it.
    pub fn of_text(text: &str) -> Option<Signature> {
        let words = word_hashes(text);
        if words.len() < MIN_WORDS {
            return None;
        }
        let mut shingles = shingle_hashes(&words, SHINGLE_WORDS);
        shingles.sort_unstable();
        shingles.dedup();
        if shingles.len() < MIN_SHINGLES {
            return None;
        }
        let mut minima = [u32::MAX; HASHES];
        for &shingle in &shingles {
            for (pair, seed) in minima.chunks_exact_mut(2).zip(SEEDS) {
                let hash = mix(shingle ^ seed);
                pair[0] = pair[0].min(hash as u32);
                pair[1] = pair[1].min((hash >> 32) as u32);
            }
        }
        Some(Signature { minima, shingles: shingles.len() as u32 })
    }

    /// How many distinct shingles the text has.
    pub fn shingles(&self) -> u32 {
        self.shingles
    }

    /// The signature as [`ENCODED_LEN`](Signature::ENCODED_LEN) bytes for storage: a format version,
    /// then the shingle count and each minimum as little-endian `u32`s.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(ENCODED_LEN);
        bytes.push(FORMAT_VERSION);
        bytes.extend_from_slice(&self.shingles.to_le_bytes());
        for minimum in self.minima {
            bytes.extend_from_slice(&minimum.to_le_bytes());
        }
        bytes
    }

    /// Length of [`Signature::to_bytes`].
    pub const ENCODED_LEN: usize = ENCODED_LEN;

    /// A signature stored with [`Signature::to_bytes`], or `None` when the bytes have the wrong
    /// length or come from another format version (recompute it from the text then).
    pub fn from_bytes(bytes: &[u8]) -> Option<Signature> {
        let (&version, rest) = bytes.split_first()?;
        if version != FORMAT_VERSION || bytes.len() != ENCODED_LEN {
            return None;
        }
        let mut words = rest.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        let shingles = words.next()?;
        // of_text never makes fewer: such a count is garbage, and would divide by zero.
        if (shingles as usize) < MIN_SHINGLES {
            return None;
        }
        let mut minima = [0; HASHES];
        for (minimum, word) in minima.iter_mut().zip(words) {
            *minimum = word;
        }
        Some(Signature { minima, shingles })
    }

    /// Estimated Jaccard similarity of the two texts' shingle sets, from 0 to 1.
    pub fn jaccard(&self, other: &Signature) -> f32 {
        let agreeing = self.minima.iter().zip(&other.minima).filter(|(a, b)| a == b).count();
        agreeing as f32 / HASHES as f32
    }

    /// Estimated share of the smaller text's shingles that the larger one has too, from 0 to 1: near 1
    /// for a copy, however much of the original it trimmed. Noisy when one text is many times the
    /// other, which [`Signature::is_copy_of`] guards against.
    pub fn containment(&self, other: &Signature) -> f32 {
        self.estimate(other).1
    }

    /// Jaccard and containment estimates. With J the Jaccard similarity and a, b the set sizes, the
    /// intersection is J (a + b) / (1 + J).
    fn estimate(&self, other: &Signature) -> (f32, f32) {
        let jaccard = self.jaccard(other);
        let (a, b) = (self.shingles as f32, other.shingles as f32);
        let shared = jaccard * (a + b) / (1.0 + jaccard);
        (jaccard, (shared / a.min(b)).min(1.0))
    }

    /// Whether one of the two texts is a copy of the other: the shorter has at least
    /// [`COPY_CONTAINMENT`] of its shingles in the longer and at least [`MIN_SIZE_RATIO`] of its size;
    /// when the shorter has fewer than [`MIN_CONTAINED_SHINGLES`], the two must also be
    /// [`SHORT_COPY_JACCARD`] similar. Symmetric: which is the original is for the caller to say
    /// (usually the earlier).
    pub fn is_copy_of(&self, other: &Signature) -> bool {
        let (jaccard, containment) = self.estimate(other);
        let (small, large) = (self.shingles.min(other.shingles), self.shingles.max(other.shingles));
        containment >= COPY_CONTAINMENT
            && small as f32 >= MIN_SIZE_RATIO * large as f32
            && (small >= MIN_CONTAINED_SHINGLES || jaccard >= SHORT_COPY_JACCARD)
    }

    /// The values the index files the text under, one per band.
    fn band_keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.minima[..BANDS].iter().copied()
    }
}

/// Hashes of the text's words in order: runs of alphanumeric characters, lower-cased.
fn word_hashes(text: &str) -> Vec<u64> {
    fn add(word: u64, c: char) -> u64 {
        (word ^ u64::from(c)).wrapping_mul(0x100_0000_01b3)
    }
    let mut words = Vec::with_capacity(text.len() / 5);
    let (mut word, mut in_word) = (WORD_SEED, false);
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            (word, in_word) = (add(word, c.to_ascii_lowercase()), true);
        } else if c.is_alphanumeric() {
            word = c.to_lowercase().fold(word, add);
            in_word = true;
        } else if is_invisible(c) {
            // A soft hyphen or zero-width space inside a word is web markup, not a word break: one
            // outlet's copy may carry them where another's does not.
        } else if in_word {
            words.push(mix(word));
            (word, in_word) = (WORD_SEED, false);
        }
    }
    if in_word {
        words.push(mix(word));
    }
    words
}

/// Characters that web pages put inside words without breaking them.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// Hashes of every run of `size` consecutive words, in order and with repeats.
fn shingle_hashes(words: &[u64], size: usize) -> Vec<u64> {
    words
        .windows(size)
        .map(|window| mix(window.iter().fold(0, |hash: u64, &word| hash.wrapping_mul(GOLDEN) ^ word)))
        .collect()
}

/// The signatures of recent texts, for finding which one a new text copies. Holds at most its
/// capacity; inserting beyond it forgets the oldest. Costs about 1.5 KB a text.
///
/// Texts are compared only when they share a band of their signatures, so a lookup costs about the
/// same with a hundred stored texts as with a hundred thousand.
#[derive(Debug)]
pub struct NearDuplicates {
    capacity: usize,
    /// Stored texts by slot; a slot freed by eviction or removal is reused.
    slots: Vec<Option<Stored>>,
    free: Vec<u32>,
    /// Slots in insertion order with the serial of the text they held, so that an entry whose text
    /// was removed or replaced since is recognised and skipped.
    order: VecDeque<(u32, u64)>,
    by_id: HashMap<ArticleId, u32>,
    /// For each band, the slot last filed under each value; [`Stored::links`] chain the others. One
    /// table per band, so that equal values of different bands never share a chain.
    heads: Vec<HashMap<u32, u32, BuildHasherDefault<KeyHasher>>>,
    serial: u64,
}

#[derive(Debug)]
struct Stored {
    id: ArticleId,
    signature: Signature,
    serial: u64,
    /// For each band, the previous (newer) and next (older) slot filed under the same value: doubly
    /// linked so that evicting the oldest of many identical texts does not walk their whole chain.
    links: [Link; BANDS],
}

#[derive(Debug, Clone, Copy)]
struct Link {
    newer: u32,
    older: u32,
}

/// Ends a chain.
const NONE: u32 = u32::MAX;

impl NearDuplicates {
    /// An empty index keeping at most `capacity` texts (at least one).
    pub fn new(capacity: usize) -> Self {
        NearDuplicates {
            capacity: capacity.clamp(1, NONE as usize),
            slots: Vec::new(),
            free: Vec::new(),
            order: VecDeque::new(),
            by_id: HashMap::new(),
            heads: (0..BANDS).map(|_| HashMap::default()).collect(),
            serial: 0,
        }
    }

    /// Stores a text's signature, forgetting the oldest text when full. An id already stored is
    /// replaced, and counts as the newest.
    pub fn insert(&mut self, id: ArticleId, signature: Signature) {
        self.remove(id);
        while self.by_id.len() >= self.capacity {
            let Some((slot, serial)) = self.order.pop_front() else { break };
            if self.slots[slot as usize].as_ref().is_some_and(|stored| stored.serial == serial) {
                self.release(slot);
            }
        }
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        let mut links = [Link { newer: NONE, older: NONE }; BANDS];
        for ((link, key), heads) in links.iter_mut().zip(signature.band_keys()).zip(&mut self.heads) {
            link.older = heads.insert(key, slot).unwrap_or(NONE);
        }
        for (band, link) in links.iter().enumerate() {
            if let Some(older) = self.slots.get_mut(link.older as usize).and_then(Option::as_mut) {
                older.links[band].newer = slot;
            }
        }
        self.serial += 1;
        self.slots[slot as usize] = Some(Stored { id, signature, serial: self.serial, links });
        self.order.push_back((slot, self.serial));
        self.by_id.insert(id, slot);
        // Replacements and removals leave stale entries behind; drop them before they outnumber the
        // live ones.
        if self.order.len() > 2 * self.by_id.len() + 16 {
            let slots = &self.slots;
            self.order.retain(|&(slot, serial)| {
                slots[slot as usize].as_ref().is_some_and(|stored| stored.serial == serial)
            });
        }
    }

    /// Forgets a text (when its article is deleted, say); whether it was stored.
    pub fn remove(&mut self, id: ArticleId) -> bool {
        match self.by_id.get(&id) {
            Some(&slot) => {
                self.release(slot);
                true
            }
            None => false,
        }
    }

    /// Unlinks a slot from its chains and frees it.
    fn release(&mut self, slot: u32) {
        let Some(stored) = self.slots[slot as usize].take() else { return };
        let keys = stored.signature.band_keys();
        for (band, (link, key)) in stored.links.iter().zip(keys).enumerate() {
            match self.slots.get_mut(link.newer as usize).and_then(Option::as_mut) {
                Some(newer) => newer.links[band].older = link.older,
                None if link.older == NONE => _ = self.heads[band].remove(&key),
                None => _ = self.heads[band].insert(key, link.older),
            }
            if let Some(older) = self.slots.get_mut(link.older as usize).and_then(Option::as_mut) {
                older.links[band].newer = link.newer;
            }
        }
        self.by_id.remove(&stored.id);
        self.free.push(slot);
    }

    /// The stored text that this one is a copy of ([`Signature::is_copy_of`]), with the estimated
    /// containment between them. When it copies several (the original and other copies of it), the
    /// most similar as a whole ([`Signature::jaccard`]), so that a full copy finds the full original
    /// rather than a trimmed copy of it; then the oldest.
    ///
    /// Ask before inserting the text itself, or it finds itself.
    pub fn find_copy(&self, signature: &Signature) -> Option<(ArticleId, f32)> {
        let mut candidates = Vec::new();
        for (band, (key, heads)) in signature.band_keys().zip(&self.heads).enumerate() {
            let mut at = heads.get(&key).copied().unwrap_or(NONE);
            while let Some(stored) = self.slots.get(at as usize).and_then(Option::as_ref) {
                candidates.push(at);
                at = stored.links[band].older;
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|slot| self.slots[slot as usize].as_ref())
            .filter(|stored| signature.is_copy_of(&stored.signature))
            .map(|stored| {
                let (jaccard, containment) = signature.estimate(&stored.signature);
                (jaccard, containment, std::cmp::Reverse(stored.serial), stored.id)
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)))
            .map(|(_, containment, _, id)| (id, containment))
    }

    /// How many texts are stored.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no text is stored.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// Band values are already hashes: spread them over the whole word (the table reads its high bits
/// too) instead of hashing them again.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8 | u64::from(byte)).wrapping_mul(GOLDEN);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (u64::from(n) | u64::from(n) << 32).wrapping_mul(GOLDEN);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wire story about an invented event.
    const WIRE: &str = "HARLOW BAY, March 4 (Northline) - A fire tore through a fertiliser warehouse on the edge \
of Harlow Bay's container port early on Tuesday, forcing the evacuation of about 2,000 residents and closing \
the port to shipping for most of the day, officials said.

No one was killed, but three firefighters were treated in hospital for smoke inhalation, the regional fire \
service said. Crews from four neighbouring towns fought the blaze for more than nine hours before bringing it \
under control shortly after noon.

\"We were very lucky with the wind this morning. Had it turned towards the town, we would have been looking \
at a very different day,\" fire chief Marta Solberg told reporters at the port gates.

The warehouse, operated by Delvin Agricultural Supply, held about 600 tonnes of ammonium nitrate \
fertiliser, according to port records. The company said in a statement that it was cooperating fully with \
investigators and that its own staff had raised the alarm within minutes of smelling smoke.

Residents of the Eastmoor and Quayside districts were allowed to return home in the late afternoon, \
although schools in both districts will remain closed on Wednesday as a precaution. Air quality readings \
taken throughout the day stayed within safe limits, the environment agency said.

The cause of the fire was not yet known. Port director Alan Greaves said ships waiting in the bay would \
begin unloading again overnight, and that the damaged warehouse would stay sealed off until investigators \
had finished their work.

It was the second fire at the port in three years. In 2023 a blaze in a timber store destroyed two cranes \
and halted container traffic for a week.";

    /// A local paper's own report of the same event, quoting the fire chief's first sentence.
    const LOCAL: &str =
        "Thousands of people in Harlow Bay spent Tuesday morning away from their homes after a \
warehouse full of farm fertiliser caught fire at the port.

The blaze started before dawn in a building run by Delvin Agricultural Supply, and firefighters from across \
the county needed most of the morning to put it out. Three of them went to hospital after breathing in smoke \
but are expected to recover.

Police went door to door in Eastmoor and Quayside, telling families to leave. Many spent the morning at a \
sports hall on Mill Road, where volunteers handed out tea and blankets.

\u{201c}We were very lucky with the wind this morning,\u{201d} said fire chief Marta Solberg.

Shopkeeper Dan Price, who lives two streets from the port, said he woke to the smell of burning. \u{201c}The \
whole sky was orange. I grabbed the kids and the dog and we just drove,\u{201d} he said.

Both districts reopened in the afternoon. Schools there will stay shut on Wednesday. Investigators have not \
said what started the fire.";

    /// A trade paper's own report of the same event, quoting the fire chief in full.
    const TRADE: &str = "Shipping at Harlow Bay ground to a halt on Tuesday after fire broke out in a \
fertiliser store at the port, leaving a queue of cargo vessels anchored offshore.

The warehouse belongs to Delvin Agricultural Supply, which stores imported ammonium nitrate there before it \
is sent on to farms inland. About 600 tonnes were on site when the fire started, port records show. \
Firefighters had the blaze under control by midday and nobody died.

Around 2,000 people living near the port were moved out as a precaution and were back home by evening.

\"We were very lucky with the wind this morning. Had it turned towards the town, we would have been looking \
at a very different day,\" fire chief Marta Solberg said.

Port director Alan Greaves expects unloading to resume during the night. Traders warned that the closure \
could delay fertiliser deliveries to farms ahead of spring planting. Delvin said it was working with \
investigators. The cause of the fire is still unknown.";

    fn signature(text: &str) -> Signature {
        Signature::of_text(text).expect("long enough for a signature")
    }

    /// The wire story with all but the given share of its words cut from the end.
    fn first_part(share: f32) -> String {
        let words: Vec<&str> = WIRE.split(' ').collect();
        words[..(words.len() as f32 * share) as usize].join(" ")
    }

    /// Asserts that `copy` is found to copy the wire story, both ways round, and returns the
    /// estimated containment.
    fn assert_copy(copy: &str) -> f32 {
        let (wire, copy) = (signature(WIRE), signature(copy));
        assert!(copy.is_copy_of(&wire), "containment {}", copy.containment(&wire));
        assert!(wire.is_copy_of(&copy));
        copy.containment(&wire)
    }

    #[test]
    fn an_exact_copy_is_a_copy() {
        let (wire, again) = (signature(WIRE), signature(WIRE));
        assert_eq!(wire, again);
        assert_eq!(wire.jaccard(&again), 1.0);
        assert_eq!(wire.containment(&again), 1.0);
        assert!(wire.is_copy_of(&again));
    }

    #[test]
    fn a_copy_with_another_headline_dateline_and_an_added_sentence_is_a_copy() {
        let copy = WIRE
            .replace("HARLOW BAY, March 4 (Northline) - ", "By our port correspondent\n\nHarlow Bay: ")
            .replace(
                "the environment agency said.",
                "the environment agency said. The county council has opened a helpline for residents who \
                 need somewhere to stay tonight.",
            );
        let copy = format!("Port fire forces 2,000 from their homes\n\n{copy}");
        assert!(assert_copy(&copy) > 0.9);
    }

    #[test]
    fn a_copy_with_its_last_third_trimmed_is_a_copy() {
        let trimmed = first_part(0.67);
        let (wire, copy) = (signature(WIRE), signature(&trimmed));
        assert!(copy.shingles() < wire.shingles() * 3 / 4, "the test trims too little");
        // Similar as a whole only as far as the trim allows, but contained in full.
        assert!(copy.jaccard(&wire) < 0.8);
        assert!(assert_copy(&trimmed) > 0.9);
    }

    #[test]
    fn quotes_dashes_case_and_line_breaks_do_not_change_the_signature() {
        let mut restyled = String::new();
        let mut opening = true;
        for c in WIRE.chars() {
            match c {
                '"' => {
                    restyled.push(if opening { '\u{201c}' } else { '\u{201d}' });
                    opening = !opening;
                }
                '\'' => restyled.push('\u{2019}'),
                '-' => restyled.push('\u{2014}'),
                '\n' => restyled.push_str("\r\n \u{a0}"),
                _ => restyled.push(c),
            }
        }
        let restyled = restyled
            .replace("HARLOW BAY", "Harlow Bay")
            .replace("fertiliser", "fertil\u{ad}iser")
            .replace(". ", ".  ");
        assert_ne!(restyled, WIRE);
        assert_eq!(signature(&restyled), signature(WIRE));
    }

    #[test]
    fn independent_reports_of_one_event_are_not_copies() {
        let reports = [signature(WIRE), signature(LOCAL), signature(TRADE)];
        for (i, a) in reports.iter().enumerate() {
            for b in &reports[i + 1..] {
                assert!(!a.is_copy_of(b));
                // Far from the threshold, not just under it: they share a quote and names, no more.
                assert!(a.containment(b) < COPY_CONTAINMENT / 2.0, "containment {}", a.containment(b));
            }
        }
        let mut index = NearDuplicates::new(10);
        index.insert(ArticleId(1), reports[0].clone());
        index.insert(ArticleId(2), reports[1].clone());
        assert_eq!(index.find_copy(&reports[2]), None);
    }

    #[test]
    fn a_quoted_paragraph_is_not_a_copy_of_the_story_quoting_it() {
        let paragraph = WIRE.split("\n\n").nth(2).unwrap();
        let (quoted, wire) = (signature(paragraph), signature(WIRE));
        assert!(quoted.containment(&wire) > 0.9);
        assert!(!quoted.is_copy_of(&wire));
    }

    #[test]
    fn a_text_of_too_few_words_has_no_signature() {
        let words = |n: usize| (0..n).map(|i| format!("word{i}")).collect::<Vec<_>>().join(" ");
        assert!(Signature::of_text(&words(MIN_WORDS - 1)).is_none());
        assert!(Signature::of_text(&words(MIN_WORDS)).is_some());
        assert!(Signature::of_text("").is_none());
        assert!(Signature::of_text(&"the fire spread ".repeat(MIN_WORDS)).is_none());
        assert!(Signature::of_text("\u{201c} -- ... \u{2014} !!! \u{201d}").is_none());
    }

    #[test]
    fn a_signature_survives_storage_as_bytes() {
        let wire = signature(WIRE);
        let bytes = wire.to_bytes();
        assert_eq!(bytes.len(), Signature::ENCODED_LEN);
        assert_eq!(Signature::from_bytes(&bytes), Some(wire.clone()));
        assert_eq!(u32::from_le_bytes(bytes[1..5].try_into().unwrap()), wire.shingles());
    }

    /// Stored signatures are compared with new ones, so the same text must give the same bytes on every
    /// build and platform. If this fails after a deliberate change, bump `FORMAT_VERSION` too.
    #[test]
    fn signatures_are_stable() {
        let bytes = signature(WIRE).to_bytes();
        let checksum = bytes.iter().fold(0u64, |sum, &byte| mix(sum ^ u64::from(byte)));
        assert_eq!((bytes[0], signature(WIRE).shingles(), checksum), (1, 274, 7737828477217175474));
    }

    #[test]
    fn garbage_bytes_are_not_a_signature() {
        let bytes = signature(WIRE).to_bytes();
        assert_eq!(Signature::from_bytes(&[]), None);
        assert_eq!(Signature::from_bytes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Signature::from_bytes(&[bytes.as_slice(), &[0]].concat()), None);
        let mut other_version = bytes.clone();
        other_version[0] = FORMAT_VERSION + 1;
        assert_eq!(Signature::from_bytes(&other_version), None);
        let mut no_shingles = bytes.clone();
        no_shingles[1..5].fill(0);
        assert_eq!(Signature::from_bytes(&no_shingles), None);
        assert_eq!(Signature::from_bytes(b"not a signature at all"), None);
    }

    #[test]
    fn the_index_finds_the_original_of_a_copy_among_other_reports() {
        let mut index = NearDuplicates::new(100);
        assert!(index.is_empty());
        index.insert(ArticleId(1), signature(LOCAL));
        index.insert(ArticleId(2), signature(WIRE));
        index.insert(ArticleId(3), signature(TRADE));
        index.insert(ArticleId(4), signature(&first_part(0.5)));
        assert_eq!(index.len(), 4);

        // The trimmed copy (4) is all inside this one too, but the original is the closer match.
        let copy = WIRE.replace("HARLOW BAY, March 4 (Northline) - ", "Harlow Bay (Staff) -- ");
        let (found, containment) = index.find_copy(&signature(&copy)).unwrap();
        assert_eq!(found, ArticleId(2));
        assert!(containment > 0.9);

        let (found, _) = index.find_copy(&signature(&first_part(0.67))).unwrap();
        assert!(found == ArticleId(2) || found == ArticleId(4));
    }

    #[test]
    fn the_index_forgets_the_oldest_beyond_its_capacity() {
        let (wire, local, trade) = (signature(WIRE), signature(LOCAL), signature(TRADE));
        let mut index = NearDuplicates::new(2);
        index.insert(ArticleId(1), wire.clone());
        index.insert(ArticleId(2), local.clone());
        index.insert(ArticleId(3), trade.clone());
        assert_eq!(index.len(), 2);
        assert_eq!(index.find_copy(&wire), None);
        assert_eq!(index.find_copy(&local).map(|(id, _)| id), Some(ArticleId(2)));
        assert_eq!(index.find_copy(&trade).map(|(id, _)| id), Some(ArticleId(3)));

        // Inserting a stored id again replaces its text without evicting another.
        index.insert(ArticleId(3), wire.clone());
        assert_eq!(index.len(), 2);
        assert_eq!(index.find_copy(&trade), None);
        assert_eq!(index.find_copy(&wire).map(|(id, _)| id), Some(ArticleId(3)));
        assert_eq!(index.find_copy(&local).map(|(id, _)| id), Some(ArticleId(2)));

        // And makes it the newest: 3 goes before 2 now.
        index.insert(ArticleId(2), local.clone());
        index.insert(ArticleId(4), trade.clone());
        assert_eq!(index.len(), 2);
        assert_eq!(index.find_copy(&wire), None);
        assert_eq!(index.find_copy(&local).map(|(id, _)| id), Some(ArticleId(2)));
        assert_eq!(index.find_copy(&trade).map(|(id, _)| id), Some(ArticleId(4)));

        assert!(index.remove(ArticleId(4)));
        assert!(!index.remove(ArticleId(4)));
        assert_eq!(index.find_copy(&trade), None);
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn identical_texts_share_chains_and_leave_them_cleanly() {
        // Copies of one text are filed under the same values: evicting and removing them in any order
        // must keep every chain intact.
        let wire = signature(WIRE);
        let mut index = NearDuplicates::new(3);
        for id in 1..=10 {
            index.insert(ArticleId(id), wire.clone());
            if id == 6 {
                assert!(index.remove(ArticleId(5)));
            }
        }
        assert_eq!(index.len(), 3);
        assert_eq!(index.find_copy(&wire).map(|(id, _)| id), Some(ArticleId(8)));
        for id in [9, 8, 10] {
            assert!(index.remove(ArticleId(id)));
        }
        assert!(index.is_empty());
        assert_eq!(index.find_copy(&wire), None);
        assert!(index.heads.iter().all(HashMap::is_empty));
    }
}
