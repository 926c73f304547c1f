//! Generates, from a seed, a hypothetical 25-year history (2000–2025) of a national steering
//! committee and a ministry, written only as format 2 seed files, with what it planted noted
//! for the checks.
//!
//! Every person, unit, post, committee and decision is a placeholder ("Thành viên 17",
//! "Bộ A", "Vụ 3", "12/QĐ-TTg" with a title saying it is hypothetical). The generator keeps a
//! small model of who sits where so that every change it writes is one the domain accepts,
//! and writes each change into the file of its valid year, except the late entries (written
//! into a later file) and the mistakes that the last file corrects.

use crate::payload::{CommitteeRenaming, MembershipEnd, MembershipStart, PersonName};
use crate::{Date, Event, EventId, Recorded, Role};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The first valid year of each file; the last entry ends the last file.
const PERIODS: [i32; 6] = [2000, 2005, 2010, 2015, 2020, 2026];

/// The national committee, the ministry's committee and its working group, and the committee
/// of the ministry that merges into it.
pub(super) const NATIONAL: &str = "bcd-quoc-gia";
pub(super) const MINISTRY: &str = "bcd-bo-a";
pub(super) const GROUP: &str = "tgv-bo-a";
pub(super) const MERGED_COMMITTEE: &str = "bcd-bo-b";
pub(super) const COMMITTEES: [&str; 4] = [NATIONAL, MINISTRY, GROUP, MERGED_COMMITTEE];

/// The post whose holder heads the national committee ex officio.
pub(super) const PRIME: &str = "thu-tuong";

/// splitmix64: small, deterministic, good enough to vary a history.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.between(1, 100) <= percent
    }
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m as u8, d as u8).unwrap()
}

/// How a decision's title names a committee.
fn short_name(committee: &str) -> &'static str {
    match committee {
        NATIONAL => "Ban chỉ đạo quốc gia",
        MINISTRY => "Ban chỉ đạo Bộ A",
        GROUP => "Tổ giúp việc Bộ A",
        _ => "Ban chỉ đạo Bộ B",
    }
}

fn post_title(post: &str) -> &'static str {
    match post {
        PRIME => "Thủ tướng",
        "bo-truong-bo-a" => "Bộ trưởng Bộ A",
        "bo-truong-bo-b" => "Bộ trưởng Bộ B",
        _ => "Bộ trưởng Bộ C",
    }
}

fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Head => "head",
        Role::StandingDeputyHead => "standing_deputy_head",
        Role::DeputyHead => "deputy_head",
        Role::Member => "member",
        Role::GroupLeader => "group_leader",
        Role::DeputyGroupLeader => "deputy_group_leader",
        Role::GroupMember => "group_member",
        Role::Secretary => "secretary",
    }
}

/// One `[[changes]]` entry with its `key = value` lines (values written as TOML already).
fn change(kind: &str, fields: &[(&str, String)]) -> String {
    let mut s = format!("[[changes]]\ntype = {}\n", q(kind));
    for (k, v) in fields {
        let _ = writeln!(s, "{k} = {v}");
    }
    s
}

/// A JSON value as TOML (an inline table for an object; nulls left out).
fn toml_value(v: &serde_json::Value) -> String {
    use serde_json::Value as V;
    match v {
        V::Null => unreachable!("nulls are left out"),
        V::Bool(b) => b.to_string(),
        V::Number(n) => n.to_string(),
        V::String(s) => q(s),
        V::Array(a) => format!(
            "[{}]",
            a.iter().map(toml_value).collect::<Vec<_>>().join(", ")
        ),
        V::Object(o) => format!(
            "{{ {} }}",
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{k} = {}", toml_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A seat of the model.
#[derive(Clone, Debug)]
struct Seat {
    /// The seat's place, the same across reconstitutions (`uy-vien-3`).
    base: String,
    /// Its slug in the files (`uy-vien-3-k2008` after the 2008 reconstitution).
    slug: String,
    role: Role,
    on_behalf_of: Option<String>,
    ex_officio: Option<String>,
    /// The personal holder; `None` for an ex-officio seat or a vacant one.
    holder: Option<String>,
    from: Date,
    /// No random change touches the seat before this date (a late entry or a mistake waits
    /// for it).
    frozen_until: Option<Date>,
}

#[derive(Clone, Debug)]
struct Body {
    seats: Vec<Seat>,
    established: Option<Date>,
    dissolved: Option<Date>,
    /// The unit that issues its decisions.
    issuer: &'static str,
    code: &'static str,
}

/// "X replaces Y in seat S on D": what a replacement planted.
#[derive(Clone, Debug)]
pub(super) struct Replacement {
    pub committee: String,
    pub seat: String,
    pub old: String,
    pub new: String,
    pub on: Date,
    pub decision: String,
    /// The file (0-based) it is written in.
    pub file: usize,
}

/// A seat that goes with a post, from when to when.
#[derive(Clone, Debug)]
pub(super) struct ExOfficioSeat {
    pub committee: String,
    pub seat: String,
    pub post: String,
    pub from: Date,
    pub ended_on: Option<Date>,
}

/// A holding of a post.
#[derive(Clone, Debug)]
pub(super) struct PostHolding {
    pub post: String,
    pub person: String,
    pub from: Date,
    pub ended_on: Option<Date>,
}

/// A reconstitution and how many holdings its diff keeps.
#[derive(Clone, Debug)]
pub(super) struct Reconstitution {
    pub committee: String,
    pub on: Date,
    pub decision: String,
    /// People in the same place on the day before and on the day (ex officio included).
    pub stayed: usize,
}

/// What the merger did.
#[derive(Clone, Debug)]
pub(super) struct Merger {
    pub unit: String,
    pub into: String,
    pub on: Date,
    pub decision: String,
    /// Sub-units moved: (unit, old parent, new parent).
    pub moved: Vec<(String, String, String)>,
    pub dissolved_committee: String,
}

/// The mistakes the last file corrects.
#[derive(Clone, Debug)]
pub(super) struct Mistakes {
    /// A replacement recorded a month after its date: its index in `replacements`, and the
    /// date the files wrote.
    pub late_date: (usize, Date),
    /// A person registered under a misspelt name: (person, wrong name, right name).
    pub misspelt: (String, String, String),
    /// A committee renamed by mistake, retracted: (committee, wrong name, its decision, on).
    pub wrong_rename: (String, String, String, Date),
}

/// Everything the generator planted.
#[derive(Clone, Debug)]
pub(super) struct Facts {
    pub replacements: Vec<Replacement>,
    /// The replacement whose decision is recorded in a later file than its year's: its
    /// index in `replacements`.
    pub late: usize,
    pub mistakes: Mistakes,
    pub reconstitutions: Vec<Reconstitution>,
    pub merger: Merger,
    /// A department dissolved: (unit, date).
    pub dissolved_unit: (String, Date),
    pub ex_officio_seats: Vec<ExOfficioSeat>,
    pub holdings: Vec<PostHolding>,
    pub people: Vec<String>,
    pub units: Vec<String>,
    pub decisions: Vec<String>,
    /// Dates on which some committee changed, with the committee (for diffs).
    pub change_dates: Vec<(String, Date)>,
    /// How many entries of each type the files hold.
    pub counts: BTreeMap<&'static str, usize>,
}

/// The generated files and what they hold.
#[derive(Clone, Debug)]
pub(super) struct History {
    /// (name, TOML text), in import order; the corrections file comes after these.
    pub files: Vec<(String, String)>,
    pub facts: Facts,
}

#[derive(Default, Clone, Debug)]
struct File {
    /// `[[units]]`: the units there from the start (decisions name their issuer, and
    /// sections are recorded before changes).
    units: String,
    decisions: String,
    /// Entries placed before the file's own changes: the late entries.
    late: String,
    changes: String,
}

struct Gen {
    rng: Rng,
    scale: u32,
    files: Vec<File>,
    next_person: u32,
    next_decision: u32,
    bodies: BTreeMap<&'static str, Body>,
    /// The current holder of each post, with the holding's start.
    posts: BTreeMap<&'static str, Option<(String, Date)>>,
    /// Dates some action already uses: one change a day, so each diff sees one change.
    used: BTreeSet<Date>,
    /// While set, everything written goes into this file, first (a late entry).
    late_into: Option<usize>,
    facts: Facts,
}

/// What happens on a day of the history.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Step {
    /// A post gets a new holder.
    PostChange(&'static str),
    /// The national committee is established with its first composition.
    National,
    /// The ministry's committee and its working group.
    Ministry,
    /// The committee of the ministry that will merge.
    MergedMinistry,
    NationalReconstitution,
    /// The second reconstitution, which renames the committee too.
    NationalReconstitutionRenamed,
    Merger,
    MinistryReconstitution,
    /// A department established by a change, and a national seat on its behalf.
    NewDepartment,
    SeatForNewDepartment,
    DissolveDepartment,
    /// A rename recorded by mistake, retracted in the corrections file.
    WrongRename,
    /// A replacement written with the wrong date, corrected in the corrections file.
    RecordedMonthLate,
    /// A replacement recorded only in the next file.
    LateEntry,
    /// Some random change to the committee.
    Random(&'static str),
}

fn period_of(on: Date) -> usize {
    PERIODS
        .windows(2)
        .position(|w| on.year() >= w[0] && on.year() < w[1])
        .expect("a date of the history")
}

impl Gen {
    fn new(seed: u64, scale: u32) -> Self {
        let body = |issuer, code| Body {
            seats: Vec::new(),
            established: None,
            dissolved: None,
            issuer,
            code,
        };
        Self {
            rng: Rng(seed),
            scale,
            files: vec![File::default(); PERIODS.len() - 1],
            next_person: 1,
            next_decision: 1,
            bodies: [
                (NATIONAL, body("chinh-phu", "TTg")),
                (MINISTRY, body("bo-a", "BA")),
                (GROUP, body("bo-a", "BA")),
                (MERGED_COMMITTEE, body("bo-b", "BB")),
            ]
            .into_iter()
            .collect(),
            posts: BTreeMap::new(),
            used: BTreeSet::new(),
            late_into: None,
            facts: Facts {
                replacements: Vec::new(),
                late: usize::MAX,
                mistakes: Mistakes {
                    late_date: (usize::MAX, date(2000, 1, 1)),
                    misspelt: Default::default(),
                    wrong_rename: (
                        String::new(),
                        String::new(),
                        String::new(),
                        date(2000, 1, 1),
                    ),
                },
                reconstitutions: Vec::new(),
                merger: Merger {
                    unit: String::new(),
                    into: String::new(),
                    on: date(2000, 1, 1),
                    decision: String::new(),
                    moved: Vec::new(),
                    dissolved_committee: String::new(),
                },
                dissolved_unit: (String::new(), date(2000, 1, 1)),
                ex_officio_seats: Vec::new(),
                holdings: Vec::new(),
                people: Vec::new(),
                units: Vec::new(),
                decisions: Vec::new(),
                change_dates: Vec::new(),
                counts: BTreeMap::new(),
            },
        }
    }

    fn file_for(&self, on: Date) -> usize {
        self.late_into.unwrap_or_else(|| period_of(on))
    }

    fn emit(&mut self, on: Date, kind: &'static str, text: String) {
        *self.facts.counts.entry(kind).or_default() += 1;
        let i = self.file_for(on);
        let f = &mut self.files[i];
        let buf = if self.late_into.is_some() {
            &mut f.late
        } else {
            &mut f.changes
        };
        buf.push_str(&text);
        buf.push('\n');
    }

    /// Writes a `[[changes]]` entry of `kind`: `fields`, then the date it takes effect.
    fn dated(&mut self, on: Date, kind: &'static str, fields: &[(&str, String)]) {
        let mut all = fields.to_vec();
        all.push(("on", q(&on.to_string())));
        self.emit(on, kind, change(kind, &all));
    }

    /// A change `decision` makes on `on`.
    fn decided(&mut self, on: Date, kind: &'static str, fields: &[(&str, String)], decision: &str) {
        let mut all = fields.to_vec();
        all.push(("decision", q(decision)));
        self.dated(on, kind, &all);
    }

    /// A change `decision` makes to `committee` on `on`.
    fn committee_change(
        &mut self,
        on: Date,
        kind: &'static str,
        committee: &str,
        fields: &[(&str, String)],
        decision: &str,
    ) {
        let mut all = vec![("committee", q(committee))];
        all.extend_from_slice(fields);
        self.decided(on, kind, &all, decision);
    }

    /// Records a hypothetical decision of `issuer` in force on `on`; returns its slug.
    fn decision(&mut self, issuer: &str, code: &str, on: Date, about: &str) -> String {
        let n = self.next_decision;
        self.next_decision += 1;
        let slug = format!("qd-{n}");
        let number = if code == "NQ-CP" {
            format!("{n}/NQ-CP")
        } else {
            format!("{n}/QĐ-{code}")
        };
        let text = format!(
            "[[decisions]]\nslug = {}\nnumber = {}\nissuer = {}\nsigned_on = \"{on}\"\n\
             in_force_on = \"{on}\"\ntitle = {}\n\n",
            q(&slug),
            q(&number),
            q(issuer),
            q(&format!("{about} (giả định, không phải văn bản thật)")),
        );
        let i = self.file_for(on);
        self.files[i].decisions.push_str(&text);
        *self.facts.counts.entry("decision").or_default() += 1;
        self.facts.decisions.push(slug.clone());
        slug
    }

    /// A decision of `committee`'s issuer titled `what` it does to the committee, by name.
    fn body_decision(&mut self, committee: &str, on: Date, what: &str) -> String {
        let b = &self.bodies[committee];
        let (issuer, code) = (b.issuer, b.code);
        self.decision(
            issuer,
            code,
            on,
            &format!("{what} {}", short_name(committee)),
        )
    }

    /// A random member seat of `committee` a change may touch on `on`, when it has at least
    /// `fewest` of them, and the decision `what` that changes it.
    fn member_decision(
        &mut self,
        committee: &'static str,
        on: Date,
        fewest: usize,
        what: &str,
    ) -> Option<(usize, String)> {
        let members = self.free_seats(committee, on, Some(Role::Member));
        if members.len() < fewest {
            return None;
        }
        let i = members[self.rng.below(members.len())];
        Some((i, self.body_decision(committee, on, what)))
    }

    /// Registers a new person on `on`; returns the slug.
    fn person(&mut self, on: Date) -> String {
        let k = self.next_person;
        self.next_person += 1;
        let slug = format!("thanh-vien-{k}");
        let mut name = format!("Thành viên {k}");
        if k == 5 {
            // Misspelt when first recorded; the corrections file puts it right.
            let wrong = format!("Thành viên {k} (ghi nhầm)");
            self.facts.mistakes.misspelt = (slug.clone(), wrong.clone(), name);
            name = wrong;
        }
        self.dated(
            on,
            "register_person",
            &[("person", q(&slug)), ("name", q(&name))],
        );
        self.facts.people.push(slug.clone());
        slug
    }

    /// A unit there from the start, as a `[[units]]` entry of the first file.
    fn first_unit(&mut self, slug: &str, name: &str, kind: &str, parent: Option<&str>) {
        let f = &mut self.files[0].units;
        let _ = writeln!(
            f,
            "[[units]]\nslug = {}\nname = {}\nkind = {}",
            q(slug),
            q(name),
            q(kind)
        );
        if let Some(p) = parent {
            let _ = writeln!(f, "parent = {}", q(p));
        }
        f.push('\n');
        *self.facts.counts.entry("units").or_default() += 1;
        self.facts.units.push(slug.to_owned());
    }

    fn unit(&mut self, slug: &str, name: &str, kind: &str, parent: Option<&str>, on: Date) {
        let mut fields = vec![("unit", q(slug)), ("name", q(name)), ("kind", q(kind))];
        fields.extend(parent.map(|p| ("parent", q(p))));
        self.dated(on, "establish_unit", &fields);
        self.facts.units.push(slug.to_owned());
    }

    /// A free date in `year` between months `lo` and `hi` (days 1–28) that no other
    /// action uses.
    fn free_day(&mut self, year: i32, lo: u32, hi: u32) -> Date {
        loop {
            let d = date(year, self.rng.between(lo, hi), self.rng.between(1, 28));
            if self.used.insert(d) {
                return d;
            }
        }
    }

    // ---- posts ----

    fn appoint_to_post(&mut self, post: &'static str, person: &str, on: Date, decision: &str) {
        self.decided(
            on,
            "appoint_to_post",
            &[("post", q(post)), ("person", q(person))],
            decision,
        );
        self.posts.insert(post, Some((person.to_owned(), on)));
    }

    fn end_post_holding(&mut self, post: &'static str, on: Date, decision: &str) {
        let (person, from) = self.posts[post].clone().expect("a holder");
        self.decided(
            on,
            "end_post_holding",
            &[("post", q(post)), ("person", q(&person))],
            decision,
        );
        self.facts.holdings.push(PostHolding {
            post: post.to_owned(),
            person,
            from,
            ended_on: Some(on),
        });
        self.posts.insert(post, None);
    }

    /// A new holder of `post` from `on`, the old one leaving that day.
    fn post_change(&mut self, post: &'static str, on: Date) {
        let decision = self.decision(
            "chinh-phu",
            "TTg",
            on,
            &format!("Bổ nhiệm {}", post_title(post)),
        );
        self.end_post_holding(post, on, &decision);
        let person = self.person(on);
        self.appoint_to_post(post, &person, on, &decision);
    }

    // ---- committees ----

    fn seat_toml(table: &str, s: &Seat) -> String {
        let mut t = format!(
            "[[{table}]]\nslug = {}\nrole = {}\n",
            q(&s.slug),
            q(role_name(s.role))
        );
        if let Some(h) = &s.holder {
            let _ = writeln!(t, "holder = {}", q(h));
        }
        if let Some(u) = &s.on_behalf_of {
            let _ = writeln!(t, "on_behalf_of = {}", q(u));
        }
        if let Some(p) = &s.ex_officio {
            let _ = writeln!(t, "ex_officio = {}", q(p));
        }
        t
    }

    fn close_ex_officio(&mut self, committee: &str, seat: &str, on: Date) {
        for s in self.facts.ex_officio_seats.iter_mut() {
            if s.committee == committee && s.seat == seat && s.ended_on.is_none() {
                s.ended_on = Some(on);
            }
        }
    }

    fn open_ex_officio(&mut self, committee: &str, s: &Seat, on: Date) {
        if let Some(post) = &s.ex_officio {
            self.facts.ex_officio_seats.push(ExOfficioSeat {
                committee: committee.to_owned(),
                seat: s.slug.clone(),
                post: post.clone(),
                from: on,
                ended_on: None,
            });
        }
    }

    /// The holder of a seat on the model's current state (ex officio: the post's holder).
    fn sitting(&self, s: &Seat) -> Option<String> {
        match &s.ex_officio {
            Some(p) => self.posts[p.as_str()].as_ref().map(|(h, _)| h.clone()),
            None => s.holder.clone(),
        }
    }

    /// "Kiện toàn": `committee` (and `sub`, its sub-body) get new seats from `on`; most people
    /// keep their place, a few are replaced, vacant places are filled.
    fn reconstitute(
        &mut self,
        committee: &'static str,
        sub: Option<&'static str>,
        on: Date,
        extra: Vec<Seat>,
        rename: Option<&str>,
    ) {
        let decision = self.body_decision(committee, on, "Kiện toàn");
        let mut stayed = 0;
        self.composition(committee, sub, on, &decision, |g, body, old| {
            let mut new = Vec::new();
            for s in &old {
                g.close_ex_officio(body, &s.slug, on);
                let mut s = s.clone();
                s.slug = format!("{}-k{}", s.base, on.year());
                s.from = on;
                s.frozen_until = None;
                if s.ex_officio.is_some() {
                    stayed += usize::from(g.sitting(&s).is_some());
                } else if s.holder.is_some() && !g.rng.chance(20) {
                    stayed += 1;
                } else {
                    s.holder = Some(g.person(on));
                }
                new.push(s);
            }
            if body == committee {
                new.extend(extra.iter().cloned());
            }
            new
        });
        if let Some(name) = rename {
            self.committee_change(
                on,
                "rename_committee",
                committee,
                &[("name", q(name))],
                &decision,
            );
        }
        self.facts.reconstitutions.push(Reconstitution {
            committee: committee.to_owned(),
            on,
            decision,
            stayed,
        });
        self.facts.change_dates.push((committee.to_owned(), on));
    }

    fn establish(
        &mut self,
        committee: &'static str,
        name: &str,
        unit: &str,
        parent: Option<&str>,
        on: Date,
        decision: &str,
    ) {
        let duties = format!("[{}]", q("Chỉ đạo cải cách hành chính (giả định)"));
        let mut fields = vec![("name", q(name)), ("unit", q(unit)), ("duties", duties)];
        fields.extend(parent.map(|p| ("parent", q(p))));
        self.committee_change(on, "establish_committee", committee, &fields, decision);
        self.bodies.get_mut(committee).unwrap().established = Some(on);
    }

    fn seat(base: String, role: Role, unit: Option<String>, post: Option<&str>) -> Seat {
        Seat {
            slug: base.clone(),
            base,
            role,
            on_behalf_of: unit,
            ex_officio: post.map(str::to_owned),
            holder: None,
            from: date(2000, 1, 1),
            frozen_until: None,
        }
    }

    /// Sets up a body's first seats (the first reconstitution writes them).
    fn first_seats(&mut self, committee: &'static str, seats: Vec<Seat>, on: Date) {
        let mut seats = seats;
        for s in &mut seats {
            s.from = on;
            if s.ex_officio.is_none() {
                s.holder = Some(self.person(on));
            }
        }
        self.bodies.get_mut(committee).unwrap().seats = seats;
    }

    /// Writes a body's first composition: the seats `first_seats` set up, as a
    /// reconstitution without renaming (so slugs stay as given).
    fn first_composition(&mut self, committee: &'static str, sub: Option<&'static str>, on: Date) {
        let decision = self.body_decision(committee, on, "Thành lập");
        self.establish_named(committee, sub, on, &decision);
        self.composition(committee, sub, on, &decision, |_, _, seats| seats);
    }

    /// The reconstitution `decision` writes for `committee` (and `sub`, its sub-body) on
    /// `on`: each body's seats as `renew` makes them from its current ones, which the model
    /// keeps.
    fn composition(
        &mut self,
        committee: &'static str,
        sub: Option<&'static str>,
        on: Date,
        decision: &str,
        mut renew: impl FnMut(&mut Self, &'static str, Vec<Seat>) -> Vec<Seat>,
    ) {
        let mut text = change(
            "reconstitute",
            &[
                ("committee", q(committee)),
                ("on", q(&on.to_string())),
                ("decision", q(decision)),
            ],
        );
        let mut bodies = vec![(committee, "changes.seats")];
        bodies.extend(sub.map(|s| (s, "changes.sub_bodies.seats")));
        for (n, (body, table)) in bodies.into_iter().enumerate() {
            if n > 0 {
                let _ = write!(text, "\n[[changes.sub_bodies]]\ncommittee = {}\n", q(body));
            }
            let old = std::mem::take(&mut self.bodies.get_mut(body).unwrap().seats);
            let new = renew(self, body, old);
            for s in &new {
                text.push('\n');
                text.push_str(&Self::seat_toml(table, s));
                self.open_ex_officio(body, s, on);
            }
            self.bodies.get_mut(body).unwrap().seats = new;
        }
        self.emit(on, "reconstitute", text);
    }

    fn establish_named(
        &mut self,
        committee: &'static str,
        sub: Option<&'static str>,
        on: Date,
        decision: &str,
    ) {
        match committee {
            NATIONAL => self.establish(
                NATIONAL,
                "Ban chỉ đạo quốc gia (giả định)",
                "chinh-phu",
                None,
                on,
                decision,
            ),
            MINISTRY => self.establish(
                MINISTRY,
                "Ban chỉ đạo cải cách hành chính Bộ A (giả định)",
                "bo-a",
                None,
                on,
                decision,
            ),
            _ => self.establish(
                MERGED_COMMITTEE,
                "Ban chỉ đạo cải cách hành chính Bộ B (giả định)",
                "bo-b",
                None,
                on,
                decision,
            ),
        }
        if let Some(sub) = sub {
            self.establish(
                sub,
                "Tổ giúp việc Bộ A (giả định)",
                "bo-a",
                Some(committee),
                on,
                decision,
            );
        }
    }

    fn alive(&self, committee: &str, on: Date) -> bool {
        let b = &self.bodies[committee];
        b.established.is_some_and(|e| e < on) && b.dissolved.is_none_or(|d| d > on)
    }

    /// Seats of `committee` a random change may touch on `on`, with a personal holder.
    fn free_seats(&self, committee: &str, on: Date, role: Option<Role>) -> Vec<usize> {
        self.bodies[committee]
            .seats
            .iter()
            .enumerate()
            .filter(|(_, s)| s.ex_officio.is_none() && s.holder.is_some())
            .filter(|(_, s)| s.frozen_until.is_none_or(|f| f <= on) && s.from < on)
            .filter(|(_, s)| role.is_none_or(|r| s.role == r))
            .map(|(i, _)| i)
            .collect()
    }

    /// A random personal seat of `committee` gets a new holder on `on`; `recorded_on` is the
    /// date the files write (a mistake when it differs). Returns the replacement's index.
    fn replace(&mut self, committee: &'static str, on: Date, recorded_on: Date) -> Option<usize> {
        let seats = self.free_seats(committee, on, None);
        if seats.is_empty() {
            return None;
        }
        let i = seats[self.rng.below(seats.len())];
        let decision = self.body_decision(committee, on, "Thay thế thành viên");
        let new = self.person(on);
        let seat = &mut self.bodies.get_mut(committee).unwrap().seats[i];
        let old = seat.holder.replace(new.clone()).unwrap();
        let slug = seat.slug.clone();
        self.emit(
            on,
            "replace_seat_holder",
            change(
                "replace_seat_holder",
                &[
                    ("committee", q(committee)),
                    ("seat", q(&slug)),
                    ("person", q(&new)),
                    ("on", q(&recorded_on.to_string())),
                    ("decision", q(&decision)),
                ],
            ),
        );
        let file = self.file_for(on);
        self.facts.replacements.push(Replacement {
            committee: committee.to_owned(),
            seat: slug,
            old,
            new,
            on,
            decision,
            file,
        });
        self.facts.change_dates.push((committee.to_owned(), on));
        Some(self.facts.replacements.len() - 1)
    }

    /// A deputy head leaves and a member moves up into the seat; a new member takes the
    /// member's seat, all by one decision.
    fn promote(&mut self, committee: &'static str, on: Date) -> bool {
        let deputies = self.free_seats(committee, on, Some(Role::DeputyHead));
        let members = self.free_seats(committee, on, Some(Role::Member));
        if deputies.is_empty() || members.is_empty() {
            return false;
        }
        let di = deputies[self.rng.below(deputies.len())];
        let mi = members[self.rng.below(members.len())];
        let decision = self.body_decision(committee, on, "Phân công lại");
        let newcomer = self.person(on);
        let seats = &mut self.bodies.get_mut(committee).unwrap().seats;
        let deputy_slug = seats[di].slug.clone();
        let member_slug = seats[mi].slug.clone();
        let mover = seats[mi].holder.take().unwrap();
        seats[di].holder = Some(mover.clone());
        seats[mi].holder = Some(newcomer.clone());
        self.committee_change(
            on,
            "end_membership",
            committee,
            &[("seat", q(&deputy_slug))],
            &decision,
        );
        self.committee_change(
            on,
            "move_member",
            committee,
            &[("person", q(&mover)), ("to_seat", q(&deputy_slug))],
            &decision,
        );
        self.committee_change(
            on,
            "appoint",
            committee,
            &[("seat", q(&member_slug)), ("person", q(&newcomer))],
            &decision,
        );
        self.facts.change_dates.push((committee.to_owned(), on));
        true
    }

    /// A member leaves; the seat stays vacant until `fill` appoints someone.
    fn vacate(&mut self, committee: &'static str, on: Date) -> bool {
        let Some((i, decision)) = self.member_decision(committee, on, 4, "Thôi tham gia") else {
            return false;
        };
        let seat = &mut self.bodies.get_mut(committee).unwrap().seats[i];
        seat.holder = None;
        let slug = seat.slug.clone();
        self.committee_change(
            on,
            "end_membership",
            committee,
            &[("seat", q(&slug))],
            &decision,
        );
        self.facts.change_dates.push((committee.to_owned(), on));
        true
    }

    fn fill(&mut self, committee: &'static str, on: Date) -> bool {
        let vacant: Vec<usize> = self.bodies[committee]
            .seats
            .iter()
            .enumerate()
            .filter(|(_, s)| s.ex_officio.is_none() && s.holder.is_none() && s.from < on)
            .map(|(i, _)| i)
            .collect();
        if vacant.is_empty() {
            return false;
        }
        let i = vacant[0];
        let decision = self.body_decision(committee, on, "Bổ sung thành viên");
        let person = self.person(on);
        let seat = &mut self.bodies.get_mut(committee).unwrap().seats[i];
        seat.holder = Some(person.clone());
        let slug = seat.slug.clone();
        self.committee_change(
            on,
            "appoint",
            committee,
            &[("seat", q(&slug)), ("person", q(&person))],
            &decision,
        );
        self.facts.change_dates.push((committee.to_owned(), on));
        true
    }

    /// A new member seat, with its holder, on behalf of `unit`.
    fn add_seat(&mut self, committee: &'static str, on: Date, unit: &str) {
        let decision = self.body_decision(committee, on, "Bổ sung thành viên");
        let person = self.person(on);
        let n = self.bodies[committee].seats.len() + 1;
        let base = format!("uy-vien-bs-{}-{n}", on.year());
        let mut s = Self::seat(base, Role::Member, Some(unit.to_owned()), None);
        s.from = on;
        s.holder = Some(person.clone());
        self.committee_change(
            on,
            "create_seat",
            committee,
            &[
                ("seat", q(&s.slug)),
                ("role", q("member")),
                ("holder", q(&person)),
                ("on_behalf_of", q(unit)),
            ],
            &decision,
        );
        self.bodies.get_mut(committee).unwrap().seats.push(s);
        self.facts.change_dates.push((committee.to_owned(), on));
    }

    /// A member seat is abolished, its holder leaving with it.
    fn abolish_seat(&mut self, committee: &'static str, on: Date) -> bool {
        let Some((i, decision)) = self.member_decision(committee, on, 6, "Bãi bỏ vị trí")
        else {
            return false;
        };
        let s = self.bodies.get_mut(committee).unwrap().seats.remove(i);
        self.committee_change(
            on,
            "abolish_seat",
            committee,
            &[("seat", q(&s.slug))],
            &decision,
        );
        self.facts.change_dates.push((committee.to_owned(), on));
        true
    }

    /// Some random change to `committee` on `on`.
    fn random_change(&mut self, committee: &'static str, on: Date) {
        if !self.alive(committee, on) {
            return;
        }
        let roll = self.rng.between(1, 100);
        let done = match roll {
            1..=12 if committee != GROUP => self.promote(committee, on),
            13..=20 => self.vacate(committee, on),
            21..=35 => self.fill(committee, on),
            36..=40 if committee == NATIONAL => {
                let unit = format!("vu-{}", self.rng.between(1, 10));
                self.add_seat(committee, on, &unit);
                true
            }
            41..=44 => self.abolish_seat(committee, on),
            _ => false,
        };
        if !done {
            self.replace(committee, on, on);
        }
    }

    // ---- the history ----

    fn founding(&mut self) {
        let on = date(2000, 1, 1);
        self.used.insert(on);
        self.first_unit("chinh-phu", "Chính phủ (giả định)", "other", None);
        for (slug, name) in [("bo-a", "Bộ A"), ("bo-b", "Bộ B"), ("bo-c", "Bộ C")] {
            self.first_unit(slug, name, "ministry", None);
        }
        for k in 1..=11 {
            let parent = match k {
                1..=6 => "bo-a",
                7..=9 => "bo-b",
                _ => "bo-c",
            };
            self.first_unit(
                &format!("vu-{k}"),
                &format!("Vụ {k}"),
                "department",
                Some(parent),
            );
        }
        for (post, title, unit) in [
            (PRIME, "Thủ tướng (giả định)", "chinh-phu"),
            ("bo-truong-bo-a", "Bộ trưởng Bộ A", "bo-a"),
            ("bo-truong-bo-b", "Bộ trưởng Bộ B", "bo-b"),
            ("bo-truong-bo-c", "Bộ trưởng Bộ C", "bo-c"),
        ] {
            self.dated(
                on,
                "create_post",
                &[("post", q(post)), ("title", q(title)), ("unit", q(unit))],
            );
            let decision = self.decision("chinh-phu", "TTg", on, &format!("Bổ nhiệm {title}"));
            let person = self.person(on);
            self.appoint_to_post(post, &person, on, &decision);
        }
    }

    fn national_seats(&mut self) -> Vec<Seat> {
        let mut seats = vec![
            Self::seat("truong-ban".into(), Role::Head, None, Some(PRIME)),
            Self::seat(
                "pho-truong-ban-thuong-truc".into(),
                Role::StandingDeputyHead,
                Some("bo-a".into()),
                Some("bo-truong-bo-a"),
            ),
            Self::seat("pho-truong-ban-1".into(), Role::DeputyHead, None, None),
            Self::seat("pho-truong-ban-2".into(), Role::DeputyHead, None, None),
            Self::seat(
                "uy-vien-bo-b".into(),
                Role::Member,
                Some("bo-b".into()),
                Some("bo-truong-bo-b"),
            ),
            Self::seat(
                "uy-vien-bo-c".into(),
                Role::Member,
                Some("bo-c".into()),
                Some("bo-truong-bo-c"),
            ),
        ];
        for k in 1..=(8 * self.scale) {
            let unit = format!("vu-{}", (k - 1) % 10 + 1);
            seats.push(Self::seat(
                format!("uy-vien-{k}"),
                Role::Member,
                Some(unit),
                None,
            ));
        }
        seats.push(Self::seat("thu-ky".into(), Role::Secretary, None, None));
        seats
    }

    fn ministry_seats(&self) -> (Vec<Seat>, Vec<Seat>) {
        let mut seats = vec![
            Self::seat(
                "truong-ban".into(),
                Role::Head,
                None,
                Some("bo-truong-bo-a"),
            ),
            Self::seat("pho-truong-ban-1".into(), Role::DeputyHead, None, None),
            Self::seat("pho-truong-ban-2".into(), Role::DeputyHead, None, None),
        ];
        for k in 1..=6 {
            seats.push(Self::seat(
                format!("uy-vien-vu-{k}"),
                Role::Member,
                Some(format!("vu-{k}")),
                None,
            ));
        }
        let mut group = vec![Self::seat(
            "to-truong".into(),
            Role::GroupLeader,
            None,
            None,
        )];
        for k in 1..=(3 * self.scale) {
            group.push(Self::seat(
                format!("to-vien-{k}"),
                Role::GroupMember,
                None,
                None,
            ));
        }
        (seats, group)
    }

    fn merger(&mut self, on: Date) {
        let decision = self.decision("chinh-phu", "NQ-CP", on, "Hợp nhất Bộ B vào Bộ A");
        // The merged ministry's committee is dissolved first, with its seats and members.
        self.committee_change(on, "dissolve_committee", MERGED_COMMITTEE, &[], &decision);
        for s in self.bodies[MERGED_COMMITTEE].seats.clone() {
            self.close_ex_officio(MERGED_COMMITTEE, &s.slug, on);
        }
        self.bodies.get_mut(MERGED_COMMITTEE).unwrap().dissolved = Some(on);
        // Its minister's seat in the national committee goes, then the post.
        let seats = &mut self.bodies.get_mut(NATIONAL).unwrap().seats;
        let i = seats.iter().position(|s| s.base == "uy-vien-bo-b").unwrap();
        let s = seats.remove(i);
        self.close_ex_officio(NATIONAL, &s.slug, on);
        self.committee_change(
            on,
            "abolish_seat",
            NATIONAL,
            &[("seat", q(&s.slug))],
            &decision,
        );
        self.end_post_holding("bo-truong-bo-b", on, &decision);
        self.decided(
            on,
            "abolish_post",
            &[("post", q("bo-truong-bo-b"))],
            &decision,
        );
        let moved = vec![
            ("vu-7".to_owned(), "bo-b".to_owned(), "bo-c".to_owned()),
            ("vu-8".to_owned(), "bo-b".to_owned(), "bo-c".to_owned()),
            ("vu-9".to_owned(), "bo-b".to_owned(), "bo-a".to_owned()),
        ];
        let moves = moved
            .iter()
            .map(|(u, _, to)| format!("{{ unit = {}, to = {} }}", q(u), q(to)))
            .collect::<Vec<_>>()
            .join(", ");
        self.decided(
            on,
            "merge_unit",
            &[
                ("unit", q("bo-b")),
                ("into", q("bo-a")),
                ("move_sub_units", format!("[{moves}]")),
            ],
            &decision,
        );
        self.decided(
            on,
            "rename_unit",
            &[("unit", q("bo-a")), ("name", q("Bộ A (sau hợp nhất)"))],
            &decision,
        );
        self.facts.merger = Merger {
            unit: "bo-b".into(),
            into: "bo-a".into(),
            on,
            decision,
            moved,
            dissolved_committee: MERGED_COMMITTEE.into(),
        };
        self.facts.change_dates.push((NATIONAL.to_owned(), on));
        self.facts
            .change_dates
            .push((MERGED_COMMITTEE.to_owned(), on));
    }

    fn run(&mut self) {
        self.founding();
        // The fixed milestones, on free days chosen from the seed.
        let national_on = self.free_day(2000, 2, 4);
        let ministry_on = self.free_day(2003, 3, 8);
        let merged_on = self.free_day(2005, 2, 6);
        let mut post_changes: Vec<(Date, &'static str)> = Vec::new();
        for (post, years) in [
            (PRIME, &[2006, 2011, 2016, 2021][..]),
            ("bo-truong-bo-a", &[2004, 2009, 2014, 2019, 2023][..]),
            ("bo-truong-bo-b", &[2007, 2012][..]),
            ("bo-truong-bo-c", &[2006, 2013, 2020][..]),
        ] {
            for &y in years {
                let d = self.free_day(y, 2, 5);
                post_changes.push((d, post));
            }
        }
        let recon_1 = self.free_day(2008, 3, 10);
        let recon_2 = self.free_day(2016, 7, 10);
        let merger_on = self.free_day(2018, 3, 10);
        let recon_ministry = self.free_day(2019, 7, 11);
        let vu12_on = self.free_day(2012, 2, 6);
        let vu12_seat_on = self.free_day(2013, 6, 11);
        let vu11_end = self.free_day(2022, 2, 10);
        let wrong_rename_on = self.free_day(2011, 2, 10);

        for year in 2000..=2025 {
            let mut agenda: Vec<(Date, Step)> = Vec::new();
            for &(d, post) in &post_changes {
                if d.year() == year {
                    agenda.push((d, Step::PostChange(post)));
                }
            }
            for (d, step) in [
                (national_on, Step::National),
                (ministry_on, Step::Ministry),
                (merged_on, Step::MergedMinistry),
                (recon_1, Step::NationalReconstitution),
                (recon_2, Step::NationalReconstitutionRenamed),
                (merger_on, Step::Merger),
                (recon_ministry, Step::MinistryReconstitution),
                (vu12_on, Step::NewDepartment),
                (vu12_seat_on, Step::SeatForNewDepartment),
                (vu11_end, Step::DissolveDepartment),
                (wrong_rename_on, Step::WrongRename),
            ] {
                if d.year() == year {
                    agenda.push((d, step));
                }
            }
            // Random changes: a few per committee and year; the first national one of 2006
            // is recorded with a wrong date, that of 2012 only in a later file.
            for committee in COMMITTEES {
                let n = self.rng.between(1, 1 + 2 * self.scale);
                for k in 0..n {
                    let special = committee == NATIONAL && k == 0 && (year == 2006 || year == 2012);
                    let d = if special && year == 2006 {
                        // The date the files will write, a month on, is kept free too.
                        loop {
                            let d = self.free_day(year, 3, 9);
                            let recorded = date(year, u32::from(d.month()) + 1, u32::from(d.day()));
                            if self.used.insert(recorded) {
                                break d;
                            }
                        }
                    } else if special {
                        self.free_day(year, 3, 9)
                    } else {
                        self.free_day(year, 1, 12)
                    };
                    agenda.push((
                        d,
                        match (special, year) {
                            (true, 2006) => Step::RecordedMonthLate,
                            (true, _) => Step::LateEntry,
                            _ => Step::Random(committee),
                        },
                    ));
                }
            }
            agenda.sort();
            for (d, step) in agenda {
                self.step(d, step);
            }
        }
        // Close the model's open records for the checks.
        for (post, holder) in self.posts.clone() {
            if let Some((person, from)) = holder {
                self.facts.holdings.push(PostHolding {
                    post: post.to_owned(),
                    person,
                    from,
                    ended_on: None,
                });
            }
        }
    }

    fn step(&mut self, on: Date, step: Step) {
        match step {
            Step::PostChange(post) => self.post_change(post, on),
            Step::National => {
                let seats = self.national_seats();
                self.first_seats(NATIONAL, seats, on);
                self.first_composition(NATIONAL, None, on);
                self.facts.change_dates.push((NATIONAL.to_owned(), on));
            }
            Step::Ministry => {
                let (seats, group) = self.ministry_seats();
                self.first_seats(MINISTRY, seats, on);
                self.first_seats(GROUP, group, on);
                self.bodies.get_mut(GROUP).unwrap().established = Some(on);
                self.first_composition(MINISTRY, Some(GROUP), on);
                self.facts.change_dates.push((MINISTRY.to_owned(), on));
            }
            Step::MergedMinistry => {
                let mut seats = vec![
                    Self::seat(
                        "truong-ban".into(),
                        Role::Head,
                        None,
                        Some("bo-truong-bo-b"),
                    ),
                    Self::seat("pho-truong-ban".into(), Role::DeputyHead, None, None),
                ];
                for k in 7..=9 {
                    seats.push(Self::seat(
                        format!("uy-vien-vu-{k}"),
                        Role::Member,
                        Some(format!("vu-{k}")),
                        None,
                    ));
                }
                self.first_seats(MERGED_COMMITTEE, seats, on);
                self.first_composition(MERGED_COMMITTEE, None, on);
                self.facts
                    .change_dates
                    .push((MERGED_COMMITTEE.to_owned(), on));
            }
            Step::NationalReconstitution => self.reconstitute(NATIONAL, None, on, Vec::new(), None),
            Step::NationalReconstitutionRenamed => self.reconstitute(
                NATIONAL,
                None,
                on,
                Vec::new(),
                Some("Ban chỉ đạo quốc gia về cải cách hành chính (giả định)"),
            ),
            Step::Merger => self.merger(on),
            Step::MinistryReconstitution => {
                // The ministry, merged with Bộ B, takes a member for Vụ 9, which moved to it.
                let person = self.person(on);
                let mut s = Self::seat(
                    "uy-vien-vu-9".into(),
                    Role::Member,
                    Some("vu-9".into()),
                    None,
                );
                s.slug = format!("uy-vien-vu-9-k{}", on.year());
                s.holder = Some(person);
                s.from = on;
                self.reconstitute(MINISTRY, Some(GROUP), on, vec![s], None);
            }
            Step::NewDepartment => self.unit("vu-12", "Vụ 12", "department", Some("bo-a"), on),
            Step::SeatForNewDepartment => self.add_seat(NATIONAL, on, "vu-12"),
            Step::DissolveDepartment => {
                self.dated(on, "dissolve_unit", &[("unit", q("vu-11"))]);
                self.facts.dissolved_unit = ("vu-11".into(), on);
            }
            Step::WrongRename => {
                // Renamed by mistake; the corrections file retracts it.
                let decision = self.body_decision(MINISTRY, on, "Đổi tên");
                let wrong = "Ban chỉ đạo Bộ A (ghi nhầm)".to_owned();
                self.committee_change(
                    on,
                    "rename_committee",
                    MINISTRY,
                    &[("name", q(&wrong))],
                    &decision,
                );
                self.facts.mistakes.wrong_rename = (MINISTRY.into(), wrong, decision, on);
            }
            Step::RecordedMonthLate => {
                // Recorded a month late by a typing mistake; no one touches the seat before.
                let recorded = date(on.year(), u32::from(on.month()) + 1, u32::from(on.day()));
                let i = self
                    .replace(NATIONAL, on, recorded)
                    .expect("a seat to replace");
                let r = &self.facts.replacements[i];
                let seat = r.seat.clone();
                self.freeze(NATIONAL, &seat, date(on.year() + 1, 1, 1));
                self.facts.mistakes.late_date = (i, recorded);
            }
            Step::LateEntry => {
                // Recorded only in the next file, before that file's own changes; the seat is
                // left alone until then.
                let late_file = period_of(on) + 1;
                self.late_into = Some(late_file);
                let i = self.replace(NATIONAL, on, on).expect("a seat to replace");
                self.late_into = None;
                let seat = self.facts.replacements[i].seat.clone();
                self.freeze(NATIONAL, &seat, date(PERIODS[late_file], 1, 1));
                self.facts.late = i;
            }
            Step::Random(committee) => self.random_change(committee, on),
        }
    }

    fn freeze(&mut self, committee: &str, seat: &str, until: Date) {
        for s in &mut self.bodies.get_mut(committee).unwrap().seats {
            if s.slug == seat {
                s.frozen_until = Some(until);
            }
        }
    }
}

/// The history for `seed`; `scale` multiplies the seats and the changes per year.
pub(super) fn generate(seed: u64, scale: u32) -> History {
    let mut g = Gen::new(seed, scale.max(1));
    g.run();
    let files = g
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = format!("lich-su-{}-{}.toml", PERIODS[i], PERIODS[i + 1] - 1);
            let text = format!(
                "# Hypothetical history for tests: every name and number is a placeholder.\n\
                 format = 2\nrecords_from = \"{}-01-01\"\n\n{}{}{}{}",
                PERIODS[i], f.units, f.decisions, f.late, f.changes
            );
            (name, text)
        })
        .collect();
    History {
        files,
        facts: g.facts,
    }
}

impl History {
    /// The corrections file, written after the others were recorded in `log`: the event ids
    /// it names are those `log` gave the mistaken events.
    pub(super) fn corrections(&self, log: &[Recorded]) -> (String, String) {
        let f = &self.facts;
        let find = |what: &str, pred: &dyn Fn(&Event) -> bool| -> (EventId, Event) {
            let found: Vec<&Recorded> = log.iter().filter(|r| pred(&r.event)).collect();
            assert_eq!(found.len(), 1, "one event {what} in the log");
            (found[0].meta.event_id, found[0].event.clone())
        };
        let mut text = String::from(
            "# Hypothetical corrections for tests.\nformat = 2\nrecords_from = \"2025-01-01\"\n\n",
        );
        let mut correct = |target: EventId, corrected: &Event| {
            let json = serde_json::to_value(corrected).unwrap();
            text.push_str(&change(
                "correct",
                &[
                    ("target", q(&target.to_string())),
                    ("corrected", toml_value(&json)),
                ],
            ));
            text.push('\n');
        };
        // The replacement written a month late: its end first (a gap), then its start.
        let (i, _) = f.mistakes.late_date;
        let r = &f.replacements[i];
        let decision = crate::DecisionId::from_slug(&r.decision).unwrap();
        let right = r.on;
        let (id, mut ended) = find(
            "ending the month-late replacement's old membership",
            &|e| matches!(e, Event::MembershipEnded(MembershipEnd { decision: d, .. }) if *d == decision),
        );
        if let Event::MembershipEnded(MembershipEnd { ended_on, .. }) = &mut ended {
            *ended_on = right;
        }
        correct(id, &ended);
        let (id, mut started) = find(
            "starting the month-late replacement's membership",
            &|e| matches!(e, Event::MembershipStarted(MembershipStart { decision: d, .. }) if *d == decision),
        );
        if let Event::MembershipStarted(MembershipStart { from, .. }) = &mut started {
            *from = right;
        }
        correct(id, &started);
        // The misspelt name.
        let (slug, _, name) = &f.mistakes.misspelt;
        let person = crate::PersonId::from_slug(slug).unwrap();
        let (id, mut registered) = find(
            "registering the misspelt person",
            &|e| matches!(e, Event::PersonRegistered(PersonName { person: p, .. }) if *p == person),
        );
        if let Event::PersonRegistered(PersonName { name: n, .. }) = &mut registered {
            *n = crate::Name::new(name).unwrap();
        }
        correct(id, &registered);
        // The mistaken rename is withdrawn.
        let decision = crate::DecisionId::from_slug(&f.mistakes.wrong_rename.2).unwrap();
        let (id, _) = find(
            "renaming the ministry's committee by mistake",
            &|e| matches!(e, Event::CommitteeRenamed(CommitteeRenaming { decision: d, .. }) if *d == decision),
        );
        text.push_str(&change("retract", &[("target", q(&id.to_string()))]));
        ("lich-su-dinh-chinh.toml".to_owned(), text)
    }
}
