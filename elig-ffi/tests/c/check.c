/* A PIN-mode check through the C ABI (issue 13, item 4): the card link is a C callback over
 * the exported virtual card, the gateway is the in-process sandbox over HTTPS with mutual
 * TLS. Then the documented misuse cases: NULL pointers, invalid UTF-8, double and wrong-type
 * frees, a buffer too small. Built and run by tests/c_abi.rs (with -fsanitize=address,undefined
 * when the toolchain links it). Exit status 0 = every check passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elig.h"

static int failures = 0;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "check.c:%d: FAILED: %s (last error: %s)\n", __LINE__, #cond, \
                    elig_last_error_message());                                       \
            failures++;                                                               \
        }                                                                             \
    } while (0)

struct desk {
    EligHandle card;
    const char *pin;
    int lose_tag_on_sign;
    int sign_seen;
    int pin_asked;
};

static int32_t transceive(void *user_data, const uint8_t *apdu, size_t apdu_len, uint8_t *response,
                          size_t response_cap, size_t *response_len, uint32_t timeout_ms) {
    struct desk *desk = user_data;
    (void)timeout_ms;
    if (apdu_len >= 2 && apdu[0] == 0x80 && apdu[1] == 0x2A) {
        desk->sign_seen++;
        if (desk->lose_tag_on_sign) return 1; /* tag lost */
    }
    EligStatus s = elig_testing_card_transceive(desk->card, apdu, apdu_len, response, response_cap,
                                                response_len);
    return s == ELIG_STATUS_OK ? 0 : 3;
}

static int32_t pin_entry(void *user_data, int32_t tries_left, uint8_t last_try, char *pin_out) {
    struct desk *desk = user_data;
    (void)tries_left;
    desk->pin_asked++;
    if (last_try) return 2; /* never spend the last try in this test */
    memcpy(pin_out, desk->pin, 5);
    return 0;
}

static EligHandle run(EligHandle gateway, EligHandle voucher, const char *facility,
                      const char *today, const char *audit, struct desk *desk, const char *id) {
    EligCheckParams p = {0};
    p.gateway = gateway;
    p.voucher = voucher;
    p.purpose = 0;
    p.facility = facility;
    p.checkup_date = today;
    p.request_id = id;
    p.audit_path = audit;
    p.transceive = transceive;
    p.pin = pin_entry;
    p.user_data = desk;
    p.max_transceive_len = 65544;
    p.extended_length = 1;
    EligHandle result = 0;
    EligStatus s = elig_check_run(&p, &result);
    CHECK(s == ELIG_STATUS_OK);
    return result;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: check AUDIT_PATH\n");
        return 2;
    }
    const char *audit = argv[1];
    EligHandle sandbox = 0, gateway = 0, voucher = 0, card = 0;
    char today[16], facility[64];
    size_t needed = 0;

    CHECK(elig_testing_sandbox_start(&sandbox) == ELIG_STATUS_OK);
    CHECK(elig_testing_sandbox_gateway(sandbox, "clinic", &gateway) == ELIG_STATUS_OK);
    CHECK(elig_today_in_japan(today, sizeof today, &needed) == ELIG_STATUS_OK);
    CHECK(needed == 11);
    CHECK(elig_testing_sandbox_facility(sandbox, "clinic", facility, sizeof facility, &needed) ==
          ELIG_STATUS_OK);
    CHECK(elig_testing_sandbox_voucher(sandbox, "P01", today, &voucher) == ELIG_STATUS_OK);
    CHECK(elig_testing_card_new(1001, "4321", &card) == ELIG_STATUS_OK);

    /* 1. The right PIN: eligible. */
    struct desk desk = {card, "4321", 0, 0, 0};
    EligHandle result = run(gateway, voucher, facility, today, audit, &desk, "c-test-1");
    uint8_t eligible = 0;
    EligFailure failure = ELIG_FAILURE_OTHER;
    CHECK(elig_result_is_eligible(result, &eligible) == ELIG_STATUS_OK && eligible == 1);
    CHECK(elig_result_failure(result, &failure) == ELIG_STATUS_OK && failure == ELIG_FAILURE_NONE);
    CHECK(desk.pin_asked == 1 && desk.sign_seen == 1);
    /* The explanation, with the size query first. */
    CHECK(elig_result_explanation(result, 0, NULL, 0, &needed) == ELIG_STATUS_BUFFER_TOO_SMALL);
    char *text = malloc(needed);
    CHECK(text != NULL);
    CHECK(elig_result_explanation(result, 0, text, needed, &needed) == ELIG_STATUS_OK);
    CHECK(strstr(text, "eligible") != NULL);
    printf("eligible check: %s\n", text);
    free(text);
    CHECK(elig_result_free(result) == ELIG_STATUS_OK);

    /* 2. A wrong PIN: not eligible, never re-sent. */
    struct desk wrong = {card, "9999", 0, 0, 0};
    result = run(gateway, voucher, facility, today, audit, &wrong, "c-test-2");
    CHECK(elig_result_is_eligible(result, &eligible) == ELIG_STATUS_OK && eligible == 0);
    CHECK(elig_result_failure(result, &failure) == ELIG_STATUS_OK && failure == ELIG_FAILURE_WRONG_PIN);
    CHECK(wrong.sign_seen == 0);
    CHECK(elig_result_free(result) == ELIG_STATUS_OK);

    /* 3. The tag lost during the signature: never eligible. */
    struct desk lost = {card, "4321", 1, 0, 0};
    result = run(gateway, voucher, facility, today, audit, &lost, "c-test-3");
    CHECK(elig_result_is_eligible(result, &eligible) == ELIG_STATUS_OK && eligible == 0);
    CHECK(elig_result_failure(result, &failure) == ELIG_STATUS_OK &&
          failure == ELIG_FAILURE_CARD_REMOVED);
    CHECK(lost.sign_seen == 1);
    CHECK(elig_result_free(result) == ELIG_STATUS_OK);

    /* 4. Misuse is reported, never a crash. */
    EligHandle h = 0;
    CHECK(elig_check_run(NULL, &h) == ELIG_STATUS_NULL_POINTER);
    CHECK(strlen(elig_last_error_message()) > 0);
    CHECK(elig_voucher_from_json(NULL, &h) == ELIG_STATUS_NULL_POINTER);
    CHECK(elig_voucher_from_json("{}", NULL) != ELIG_STATUS_OK);
    CHECK(elig_voucher_from_json("{\"kind\":\"\xff\xfe\"}", &h) == ELIG_STATUS_INVALID_UTF8);
    CHECK(elig_voucher_from_json("{not json", &h) == ELIG_STATUS_INVALID_ARGUMENT);
    CHECK(elig_testing_card_new(1001, "12ab", &h) == ELIG_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(elig_last_error_message(), "12ab") == NULL);
    CHECK(elig_testing_sandbox_gateway(sandbox, "\xc3\x28", &h) == ELIG_STATUS_INVALID_UTF8);
    CHECK(elig_gateway_free(voucher) == ELIG_STATUS_INVALID_HANDLE); /* wrong type */
    CHECK(elig_voucher_free(0) == ELIG_STATUS_INVALID_HANDLE);
    CHECK(elig_result_free(result) == ELIG_STATUS_INVALID_HANDLE); /* double free */
    uint8_t small[1];
    uint8_t select_mf[] = {0x00, 0xA4, 0x00, 0x00};
    CHECK(elig_testing_card_transceive(card, select_mf, sizeof select_mf, small, sizeof small,
                                       &needed) == ELIG_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed == 2);
    CHECK(elig_testing_card_transceive(card, NULL, 4, small, sizeof small, &needed) ==
          ELIG_STATUS_NULL_POINTER);

    CHECK(elig_voucher_free(voucher) == ELIG_STATUS_OK);
    CHECK(elig_voucher_free(voucher) == ELIG_STATUS_INVALID_HANDLE); /* double free */
    CHECK(elig_gateway_free(gateway) == ELIG_STATUS_OK);
    CHECK(elig_testing_card_free(card) == ELIG_STATUS_OK);
    CHECK(elig_testing_sandbox_free(sandbox) == ELIG_STATUS_OK);
    CHECK(elig_testing_sandbox_free(sandbox) == ELIG_STATUS_INVALID_HANDLE);

    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all C ABI checks passed\n");
    return 0;
}
