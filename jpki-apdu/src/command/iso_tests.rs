use super::*;
use crate::command::{CommandBuilder, CommandParseError};
use crate::test_util::hex;
use proptest::prelude::*;

/// `iso7816::Command` has an inherent `try_from(&[u8])` that shadows the trait method of
/// the same name in `Type::try_from(x)` calls: name the trait.
trait TryFromCommand: Sized {
    fn try_from_command(command: &Command) -> Result<Self, IsoConversionError>;
}

impl<const S: usize> TryFromCommand for iso7816::Command<S> {
    fn try_from_command(command: &Command) -> Result<Self, IsoConversionError> {
        <Self as TryFrom<&Command>>::try_from(command)
    }
}

/// What the `iso7816` builder serializes.
fn iso_encode(builder: &IsoCommandBuilder<&[u8]>) -> Vec<u8> {
    let mut out = vec![0u8; builder.required_len()];
    let mut writer: &mut [u8] = &mut out;
    builder.serialize_into(&mut writer).unwrap();
    assert!(writer.is_empty(), "required_len matches what was written");
    out
}

/// Any command this crate's builder accepts: short and extended, all four cases.
fn command() -> impl Strategy<Value = Command> {
    (
        any::<[u8; 4]>(),
        prop_oneof![
            4 => proptest::collection::vec(any::<u8>(), 0..=300),
            1 => proptest::collection::vec(any::<u8>(), 256..=1_000),
        ],
        proptest::option::of(prop_oneof![
            1..=256u32,
            257..=65_536u32,
            Just(256u32),
            Just(65_536u32),
        ]),
        any::<bool>(),
    )
        .prop_filter_map("a buildable command", |(h, data, ne, ext)| {
            let [cla, ins, p1, p2] = h;
            let mut b: CommandBuilder = Command::builder(cla, ins, p1, p2).data(&data);
            if let Some(ne) = ne {
                b = b.expect(ne);
            }
            if ext {
                b = b.extended();
            }
            b.build().ok()
        })
}

#[test]
fn golden_conversions() {
    let select = Command::builder(0x00, 0xA4, 0x04, 0x0C)
        .data(&hex("D392F000260100000001"))
        .build()
        .unwrap();
    let iso: iso7816::Command<16> = (&select).try_into().unwrap();
    assert_eq!(iso.class().into_inner(), 0x00);
    assert_eq!(iso.instruction(), iso7816::Instruction::Select);
    assert_eq!((iso.p1, iso.p2), (0x04, 0x0C));
    assert_eq!(iso.data().as_slice(), hex("D392F000260100000001"));
    assert_eq!(iso.expected(), 0);
    assert!(!iso.extended);
    assert_eq!(Command::try_from(&iso).unwrap(), select);

    // READ BINARY of 65 536 bytes: iso7816 says ExpectedLen::Max and writes `00 00 00`.
    let read = Command::builder(0x00, 0xB0, 0x00, 0x00)
        .expect(65_536)
        .build()
        .unwrap();
    let builder = IsoCommandBuilder::try_from(&read).unwrap();
    assert_eq!(iso_encode(&builder), hex("00B00000000000"));
    let max = hex("00B00000000000");
    let view = CommandView::try_from(max.as_slice()).unwrap();
    assert_eq!(view.expected(), 65_536);
    assert_eq!(Command::try_from(view).unwrap(), read);

    // A short command forced extended stays extended both ways.
    let forced = Command::builder(0x00, 0xB0, 0x00, 0x10)
        .expect(16)
        .extended()
        .build()
        .unwrap();
    let bytes = hex("00B00010000010");
    assert_eq!(*forced.to_bytes(), bytes);
    assert_eq!(iso_encode(&(&forced).try_into().unwrap()), bytes);
    let back = Command::try_from(CommandView::try_from(bytes.as_slice()).unwrap()).unwrap();
    assert!(back.is_extended());
    assert_eq!(back, forced);
}

#[test]
fn which_inputs_fail_and_why() {
    // CLA FF: reserved for PPS (ISO/IEC 7816-3); iso7816's Class refuses it.
    let pps = Command::case1(0xFF, 0x00, 0x00, 0x00);
    assert_eq!(
        IsoCommandBuilder::try_from(&pps).unwrap_err(),
        IsoConversionError::InvalidClass
    );
    assert_eq!(
        <iso7816::Command<8>>::try_from_command(&pps).unwrap_err(),
        IsoConversionError::InvalidClass
    );
    // Data longer than the iso7816 buffer.
    let long = Command::builder(0x00, 0xD6, 0, 0)
        .data(&[1; 9])
        .build()
        .unwrap();
    assert_eq!(
        <iso7816::Command<8>>::try_from_command(&long).unwrap_err(),
        IsoConversionError::CapacityExceeded {
            len: 9,
            capacity: 8
        }
    );
    // An iso7816 command marked extended with neither data nor Le (what chaining an empty
    // view leaves): an extended case 1 has no encoding.
    let mut empty = iso7816::Command::<8>::try_from(&hex("00200080")).unwrap();
    empty.extended = true;
    assert_eq!(
        Command::try_from(&empty).unwrap_err(),
        IsoConversionError::Unrepresentable(CommandError::ExtendedCase1)
    );
    // An iso7816 command whose public flag says short while its data needs extended.
    let mut chained = iso7816::Command::<600>::try_from(&hex("00D600000101")).unwrap();
    let more = [0x10_u8; 300];
    let mut second = hex("00D6000000012C");
    second.extend_from_slice(&more);
    chained
        .extend_from_command(&iso7816::Command::<600>::try_from(second.as_slice()).unwrap())
        .unwrap();
    assert!(chained.extended, "chaining marks it extended");
    let converted = Command::try_from(&chained).unwrap();
    assert_eq!(converted.data().len(), 301);
    assert!(converted.is_extended());
    chained.extended = false;
    assert_eq!(
        Command::try_from(&chained).unwrap_err(),
        IsoConversionError::ShortTooSmall { len: 301, ne: 0 }
    );
}

#[test]
fn zero_extended_lc_with_le_is_the_case_2_it_describes() {
    // iso7816 reads `00 00 00 HH LL` as an extended Lc of 0 and an Le; this crate's parser
    // refuses it; the converted view is the case-2 extended command.
    let bytes = hex("00B00000 0000000010");
    assert_eq!(Command::parse(&bytes), Err(CommandParseError::ZeroLc));
    let view = CommandView::try_from(bytes.as_slice()).unwrap();
    let converted = Command::try_from(view).unwrap();
    assert_eq!(converted.ne(), Some(16));
    assert!(converted.data().is_empty());
    assert!(converted.is_extended());
    assert_eq!(*converted.to_bytes(), hex("00B00000000010"));
}

proptest! {
    /// Ours → iso7816 → ours is the identity, and both encoders write the same bytes.
    #[test]
    fn ours_to_iso_and_back(command in command()) {
        if command.cla() == 0xFF {
            prop_assert_eq!(
                IsoCommandBuilder::try_from(&command).unwrap_err(),
                IsoConversionError::InvalidClass
            );
            return Ok(());
        }
        let builder = IsoCommandBuilder::try_from(&command).unwrap();
        prop_assert_eq!(iso_encode(&builder), command.to_bytes().to_vec());
        let owned = <iso7816::Command<1_000>>::try_from_command(&command).unwrap();
        prop_assert_eq!(owned.class().into_inner(), command.cla());
        prop_assert_eq!(u8::from(owned.instruction()), command.ins());
        prop_assert_eq!((owned.p1, owned.p2), (command.p1(), command.p2()));
        prop_assert_eq!(owned.data().as_slice(), command.data());
        prop_assert_eq!(owned.expected(), command.ne().map_or(0, |n| n as usize));
        prop_assert_eq!(owned.extended, command.is_extended());
        prop_assert_eq!(&Command::try_from(&owned).unwrap(), &command);
        prop_assert_eq!(&Command::try_from(owned.as_view()).unwrap(), &command);
    }

    /// iso7816 → ours → iso7816 is the identity for every view parsed from bytes; and where
    /// this crate's parser accepts the bytes too, both parsers agree.
    #[test]
    fn iso_to_ours_and_back(
        command in command(),
        garbage in proptest::collection::vec(any::<u8>(), 0..12),
        tamper in any::<bool>(),
    ) {
        let mut bytes = command.to_bytes().to_vec();
        if tamper {
            bytes.truncate(4);
            bytes.extend_from_slice(&garbage);
        }
        let Ok(view) = CommandView::try_from(bytes.as_slice()) else {
            // Refused by iso7816: CLA FF, or lengths that add up to no APDU, which this
            // crate's parser refuses as well.
            let cla_ff = bytes.first() == Some(&0xFF);
            prop_assert!(cla_ff || Command::parse(&bytes).is_err());
            return Ok(());
        };
        let ours = Command::try_from(view).unwrap();
        let again = iso_encode(&IsoCommandBuilder::try_from(&ours).unwrap());
        prop_assert_eq!(CommandView::try_from(again.as_slice()).unwrap(), view);
        let owned = <iso7816::Command<1_000>>::try_from_command(&ours).unwrap();
        prop_assert_eq!(owned.as_view(), view);
        if let Ok(parsed) = Command::parse(&bytes) {
            prop_assert_eq!(parsed, ours);
        }
    }
}
