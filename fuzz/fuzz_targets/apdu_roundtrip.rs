//! Round trip: command and response APDUs, parse → write → parse equal; and commands built
//! from arbitrary fields → write → parse equal (the builder never produces what the parser
//! rejects).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use jpki_apdu::{Command, Response, StatusWord};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Fields {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: Vec<u8>,
    ne: Option<u32>,
    extended: bool,
}

fuzz_target!(|input: &[u8]| {
    let (selector, data) = input.split_first().unwrap_or((&0, input));
    match selector % 3 {
        0 => {
            if let Ok(command) = Command::parse(data) {
                let bytes = command.to_bytes();
                let again = Command::parse(&bytes).expect("written command parses");
                assert_eq!(again, command);
                assert_eq!(again.to_bytes(), bytes, "writing is deterministic");
            }
        }
        1 => {
            if let Ok(response) = Response::parse(data) {
                let bytes = response.to_bytes();
                assert_eq!(bytes.as_slice(), data, "a response is data + SW verbatim");
                let again = Response::parse(&bytes).expect("written response parses");
                assert_eq!(again.data(), response.data());
                assert_eq!(again.status(), response.status());
                let rebuilt = Response::new(response.data(), response.status());
                assert_eq!(rebuilt.to_bytes(), bytes);
            }
        }
        _ => {
            let mut u = Unstructured::new(data);
            let Ok(f) = Fields::arbitrary(&mut u) else {
                return;
            };
            let mut builder = Command::builder(f.cla, f.ins, f.p1, f.p2).data(&f.data);
            if let Some(ne) = f.ne {
                builder = builder.expect(ne);
            }
            if f.extended {
                builder = builder.extended();
            }
            let Ok(command) = builder.build() else { return };
            assert_eq!(command.data(), f.data.as_slice());
            let bytes = command.to_bytes();
            let again = Command::parse(&bytes).expect("a built command parses");
            assert_eq!(again, command);
            let sw = u16::from_be_bytes([f.p1, f.p2]);
            assert_eq!(StatusWord::from_u16(sw).to_u16(), sw);
        }
    }
});
