"""The Python bindings run for real (issue 13, item 4): a card link written in Python over
the virtual card, whole PIN-mode checks against the in-process sandbox over HTTPS with mutual
TLS, the audit store, voucher verification and identifier checks.

Run by elig-ffi/tests/python.sh (./test.sh) after the wheel is installed: `python -m unittest`.
"""

import json
import os
import tempfile
import threading
import unittest

import elig

PIN = "4321"
SIGN = bytes([0x80, 0x2A])  # COMPUTE DIGITAL SIGNATURE


class VirtualCardLink(elig.CardLink):
    """The app's card link, in Python, over the virtual card's transceive function."""

    def __init__(self, card, lose_tag_on=None):
        self.card = card
        self.lose_tag_on = lose_tag_on
        self.commands = []
        self.timeouts = []

    def transceive(self, apdu, timeout_ms):
        self.commands.append(bytes(apdu[:2]))
        self.timeouts.append(timeout_ms)
        if self.lose_tag_on is not None and bytes(apdu[:2]) == self.lose_tag_on:
            raise elig.CardLinkError.TagLost()
        return self.card.transceive(apdu)

    def capabilities(self):
        return elig.CardLinkCapabilities(max_transceive_len=65544, extended_length=True)


class Desk(elig.CheckObserver):
    """The UI: records events and types `pin` when asked (from the event callback)."""

    def __init__(self, pin):
        self.pin = pin
        self.check = None
        self.events = []

    def on_event(self, event):
        self.events.append(event)
        if event.is_PIN_NEEDED():
            if self.pin is None:
                self.check.cancel()
            else:
                self.check.submit_pin(self.pin)


class Fixture:
    sandbox = None

    @classmethod
    def get(cls):
        if cls.sandbox is None:
            cls.sandbox = elig.TestSandbox.start()
        return cls.sandbox


class PinModeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sandbox = Fixture.get()
        cls.gateway = cls.sandbox.gateway("clinic")
        cls.facility = cls.sandbox.device_facility("clinic")
        cls.today = elig.today_in_japan()
        cls.dir = tempfile.TemporaryDirectory()
        cls.audit_path = os.path.join(cls.dir.name, "audit.sqlite3")
        cls.serial = cls.sandbox.card_serial("P01")
        cls.counter = 0

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def check(self, card, pin, lose_tag_on=None):
        PinModeTest.counter += 1
        link = VirtualCardLink(card, lose_tag_on)
        desk = Desk(pin)
        voucher = self.sandbox.vouchers("P01", self.today)[0]
        request = elig.CheckRequest(
            voucher=voucher,
            purpose=elig.CheckPurpose.SPECIFIC_HEALTH_CHECKUP,
            facility=self.facility,
            checkup_date=self.today,
            request_id=f"py-test-{PinModeTest.counter}",
            mode=elig.CheckMode.PIN,
            audit_path=self.audit_path,
        )
        check = elig.Check(request, link, self.gateway, desk)
        desk.check = check
        return check.run(), link, desk

    def test_pin_mode_check_is_eligible_and_recorded(self):
        card = elig.VirtualCard(self.serial, PIN)
        result, link, desk = self.check(card, PIN)
        self.assertTrue(result.eligible, result.explanation_en)
        self.assertEqual(result.verdict, elig.VerdictOutcome.ELIGIBLE)
        self.assertIsNone(result.failure)
        self.assertIn("eligible", result.explanation_en)
        self.assertTrue(result.explanation_ja)
        self.assertGreaterEqual(result.audit_seq, 1)
        self.assertEqual(len(result.audit_digest), 64)
        self.assertFalse(card.any_verified(), "no verified state left on the card")
        self.assertEqual(card.pin_tries_left(), 3)
        # The signature gets the long timeout hint (reader-backends' NfcTimeouts: 5 s).
        self.assertIn(SIGN, link.commands)
        self.assertEqual(link.timeouts[link.commands.index(SIGN)], 5000)
        self.assertTrue(any(e.is_PIN_NEEDED() for e in desk.events))
        self.assertTrue(any(e.is_CERTIFICATE_READ() for e in desk.events))
        # The audit store has the row, and its chain holds.
        store = elig.AuditStore.open(self.audit_path)
        rows = store.entries_on(self.today)
        row = [r for r in rows if r.seq == result.audit_seq][0]
        self.assertEqual(row.outcome, "eligible")
        self.assertEqual(row.digest, result.audit_digest)
        self.assertEqual(store.verify().rows, store.row_count())

    def test_wrong_pin_is_not_eligible_and_spends_one_try(self):
        card = elig.VirtualCard(self.serial, PIN)
        result, link, _ = self.check(card, "9999")
        self.assertFalse(result.eligible)
        self.assertIsNone(result.verdict)
        self.assertEqual(result.failure.kind, elig.FailureKind.WRONG_PIN)
        self.assertEqual(result.failure.fault, elig.Fault.CARDHOLDER)
        self.assertEqual(result.failure.tries_left, 2)
        self.assertEqual(card.pin_tries_left(), 2)
        self.assertNotIn("9999", result.explanation_en + result.failure.message)
        self.assertNotIn(SIGN, link.commands, "no signature after a wrong PIN")
        self.assertFalse(card.any_verified())

    def test_tag_lost_during_the_signature_is_never_eligible(self):
        card = elig.VirtualCard(self.serial, PIN)
        result, link, _ = self.check(card, PIN, lose_tag_on=SIGN)
        self.assertFalse(result.eligible)
        self.assertIsNone(result.verdict)
        self.assertEqual(result.failure.kind, elig.FailureKind.CARD_REMOVED)
        self.assertEqual(result.failure.fault, elig.Fault.CARD_LINK)
        self.assertIn(SIGN, link.commands)
        store = elig.AuditStore.open(self.audit_path)
        row = [r for r in store.entries_on(self.today) if r.seq == result.audit_seq][0]
        self.assertEqual(row.outcome, "error")

    def test_cancel_from_another_thread_ends_the_check(self):
        card = elig.VirtualCard(self.serial, PIN)
        PinModeTest.counter += 1
        asked = threading.Event()

        class WaitingDesk(elig.CheckObserver):
            def on_event(self, event):
                if event.is_PIN_NEEDED():
                    asked.set()

        voucher = self.sandbox.vouchers("P01", self.today)[0]
        request = elig.CheckRequest(
            voucher=voucher,
            purpose=elig.CheckPurpose.SPECIFIC_HEALTH_CHECKUP,
            facility=self.facility,
            checkup_date=self.today,
            request_id=f"py-test-{PinModeTest.counter}",
            mode=elig.CheckMode.PIN,
            audit_path=self.audit_path,
        )
        check = elig.Check(request, VirtualCardLink(card), self.gateway, WaitingDesk())
        out = {}
        worker = threading.Thread(target=lambda: out.update(result=check.run()))
        worker.start()
        self.assertTrue(asked.wait(60), "the PIN was asked for")
        check.cancel()
        worker.join(60)
        self.assertFalse(worker.is_alive())
        self.assertEqual(out["result"].failure.kind, elig.FailureKind.CANCELLED)
        self.assertFalse(out["result"].eligible)
        self.assertEqual(card.pin_tries_left(), 3)
        with self.assertRaises(elig.EligError.Caller):
            check.run()

    def test_a_pin_of_letters_is_refused_typed(self):
        card = elig.VirtualCard(self.serial, PIN)
        result, _, _ = self.check(card, None)
        self.assertEqual(result.failure.kind, elig.FailureKind.CANCELLED)
        voucher = self.sandbox.vouchers("P01", self.today)[0]
        request = elig.CheckRequest(
            voucher=voucher,
            purpose=elig.CheckPurpose.SPECIFIC_HEALTH_CHECKUP,
            facility=self.facility,
            checkup_date=self.today,
            request_id="py-misuse",
            mode=elig.CheckMode.PIN,
            audit_path=self.audit_path,
        )
        check = elig.Check(request, VirtualCardLink(card), self.gateway, Desk(None))
        with self.assertRaises(elig.EligError.Caller) as caught:
            check.submit_pin("12ab")
        self.assertNotIn("12ab", str(caught.exception))


class VoucherTest(unittest.TestCase):
    def test_voucher_verification(self):
        sandbox = Fixture.get()
        today = elig.today_in_japan()
        voucher = sandbox.vouchers("P01", today)[0]
        again = elig.Voucher.from_json(voucher.to_json())
        self.assertEqual(again.number(), voucher.number())
        self.assertEqual(again.voucher_type(), elig.VoucherType.CHECKUP)
        self.assertTrue(again.is_unexpired_on(today))
        self.assertEqual(elig.check_identifier(elig.IdentifierKind.INSURER_NUMBER,
                                               again.insurer_number()),
                         again.insurer_number())

    def test_a_voucher_with_a_bad_check_digit_is_refused_typed(self):
        sandbox = Fixture.get()
        voucher = sandbox.vouchers("P01", elig.today_in_japan())[0]
        text = voucher.to_json()
        insurer = voucher.insurer_number()
        bad = insurer[:-1] + ("0" if insurer[-1] != "0" else "1")
        with self.assertRaises(elig.EligError.Caller) as caught:
            elig.Voucher.from_json(text.replace(f'"{insurer}"', f'"{bad}"'))
        self.assertIn("check digit", str(caught.exception))

    def test_a_refused_voucher_shows_no_personal_values(self):
        sandbox = Fixture.get()
        voucher = sandbox.vouchers("P01", elig.today_in_japan())[0]
        fields = json.loads(voucher.to_json())
        card_number = fields["card_number"]
        name = fields["person"]["name"]
        fields["card_number"] = card_number * 40  # longer than any 被保険者証等番号
        with self.assertRaises(elig.EligError.Caller) as caught:
            elig.Voucher.from_json(json.dumps(fields, ensure_ascii=False))
        message = str(caught.exception)
        self.assertIn("card number", message)
        self.assertNotIn(card_number, message)
        self.assertNotIn(name, message)

    def test_identifier_checks(self):
        # 保険者番号 with a good and a bad check digit (vouchers.md).
        self.assertEqual(elig.check_identifier(elig.IdentifierKind.INSURER_NUMBER, "01130012"),
                         "01130012")
        with self.assertRaises(elig.EligError.Caller):
            elig.check_identifier(elig.IdentifierKind.INSURER_NUMBER, "01130013")
        with self.assertRaises(elig.EligError.Caller):
            elig.Voucher.from_json("{not json")


if __name__ == "__main__":
    unittest.main()
