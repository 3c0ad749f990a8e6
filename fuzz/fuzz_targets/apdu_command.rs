//! Parse-only: any bytes as a command APDU (what the virtual card and the vpcd bridge parse).
#![no_main]

use jpki_apdu::{Case, Command, ReaderLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(command) = Command::parse(data) else {
        return;
    };
    // Accessors agree with each other and with the input.
    assert!(command.data().len() <= 65_535);
    assert_eq!(
        command.encoded_len(),
        data.len(),
        "a parsed command re-encodes to its length"
    );
    match command.case() {
        Case::Case1 => assert!(command.data().is_empty() && command.ne().is_none()),
        Case::Case2 => assert!(command.data().is_empty() && command.ne().is_some()),
        Case::Case3 => assert!(!command.data().is_empty() && command.ne().is_none()),
        Case::Case4 => assert!(!command.data().is_empty() && command.ne().is_some()),
    }
    // Limit checks never panic, and a short command always fits a short reader.
    let short = command.check_limits(&ReaderLimits::short_only());
    if !command.is_extended() {
        assert!(
            short.is_ok(),
            "short command rejected by a short reader: {command:?}"
        );
    }
    let _ = command.check_limits(&ReaderLimits::extended(65_538));
    for ne in [0, 1, 256, 257, 65_536, 65_537] {
        let _ = command.with_ne(ne);
    }
    let _ = format!("{command:?}");
});
