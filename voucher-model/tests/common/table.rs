//! The table-driven verdict harness: a baseline case (a valid voucher and a matching online
//! result) that each row changes in one place, and the checks every row must pass.

use super::*;
use voucher_model::*;

pub struct Case {
    pub voucher: VoucherFields,
    pub evidence: Evidence,
    pub date: Date,
    pub purpose: Purpose,
}

pub fn baseline() -> Case {
    Case {
        voucher: voucher_fields(),
        evidence: online_pin(),
        date: checkup_date(),
        purpose: purpose(RequestedUse::SpecificHealthCheckup),
    }
}

/// Mutable access to the online response of the case.
pub fn resp(c: &mut Case) -> &mut QualificationResponse {
    match &mut c.evidence {
        Evidence::Online(check) => &mut check.response,
        _ => panic!("not an online case"),
    }
}

pub fn rec(c: &mut Case) -> &mut QualificationRecord {
    &mut resp(c).results[0]
}

pub fn manual(c: &mut Case, e: Evidence) {
    c.evidence = e;
}

pub type Expect = (Field, FieldStatus, fn(&Reason) -> bool);

pub struct Row {
    pub name: &'static str,
    pub change: fn(&mut Case),
    pub outcome: Outcome,
    pub expect: &'static [Expect],
}

macro_rules! reason {
    ($p:pat) => {
        (|r: &Reason| matches!(r, $p)) as fn(&Reason) -> bool
    };
}

pub(crate) use reason;

/// Runs every row; collects every failure before failing.
pub fn run(rows: Vec<Row>) {
    let mut failures = Vec::new();
    for row in rows {
        let mut case = baseline();
        (row.change)(&mut case);
        let voucher = Voucher::new(case.voucher).unwrap();
        let v = verify(&voucher, &case.evidence, case.date, case.purpose);
        if v.outcome != row.outcome {
            failures.push(format!(
                "{}: outcome {:?}, expected {:?}\n{v}",
                row.name, v.outcome, row.outcome
            ));
        }
        for (field, status, reason_ok) in row.expect {
            let found = v
                .findings
                .iter()
                .any(|f| f.field == *field && f.status == *status && reason_ok(&f.reason));
            if !found {
                failures.push(format!(
                    "{}: no {field:?} finding with status {status:?} and the expected reason\n{v}",
                    row.name
                ));
            }
        }
        // Every verdict explains itself in both languages and names its evidence.
        assert_eq!(v.evidence.kind, case.evidence.kind(), "{}", row.name);
        assert!(!v.summary_ja().is_empty() && !v.summary_en().is_empty());
        for f in &v.findings {
            assert!(!f.reason.message_ja().is_empty() && !f.reason.message_en().is_empty());
        }
        // A mismatch always blocks; eligibility needs no warning at all.
        let has = |s| v.findings.iter().any(|f| f.status == s);
        assert_eq!(
            v.outcome == Outcome::NotEligible,
            has(FieldStatus::Mismatched),
            "{}",
            row.name
        );
        if v.outcome == Outcome::Eligible {
            assert!(!has(FieldStatus::Warning), "{}", row.name);
            assert_eq!(v.next_step, NextStep::Proceed);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
