// elig desk: the PIN pad, the progress poll and validation as you type. No build step, no
// library; served from the desk itself (CSP script-src 'self'). The PIN never leaves the
// PIN field except in the form post to the desk.
"use strict";
(function () {
  // The on-screen PIN pad types into the PIN field.
  var pin = document.getElementById("pin");
  if (pin) {
    document.querySelectorAll(".pad button[data-key]").forEach(function (b) {
      b.addEventListener("click", function () {
        var k = b.getAttribute("data-key");
        if (k === "clear") { pin.value = ""; }
        else if (k === "back") { pin.value = pin.value.slice(0, -1); }
        else if (pin.value.length < 4) { pin.value += k; }
        pin.focus();
      });
    });
    // Clear the PIN from the page: after the post, and when the page comes back from the
    // browser's cache (back button).
    var form = document.getElementById("pin-form");
    if (form) {
      form.addEventListener("submit", function () {
        setTimeout(function () { pin.value = ""; }, 0);
      });
    }
    window.addEventListener("pageshow", function () { pin.value = ""; });
  }

  // A check that is still working: follow it until it waits for someone or ends.
  var stage = document.body.getAttribute("data-poll");
  var m = location.pathname.match(/^\/checks\/(\d+)$/);
  if (stage && m) {
    var poll = function () {
      fetch("/checks/" + m[1] + "/stage", { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.text(); })
        .then(function (now) {
          if (now !== stage) { location.replace(location.pathname); }
          else { setTimeout(poll, 250); }
        })
        .catch(function () { setTimeout(poll, 1000); });
    };
    setTimeout(poll, 250);
  }

  // Validation as you type: the desk's own validators (voucher-model) answer.
  document.querySelectorAll("input[data-validate]").forEach(function (input) {
    var out = document.getElementById(input.id + "-msg");
    if (!out) { return; }
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = "/validate?field=" + encodeURIComponent(input.getAttribute("data-validate")) +
          "&value=" + encodeURIComponent(input.value);
        fetch(q, { credentials: "same-origin", cache: "no-store" })
          .then(function (r) { return r.text(); })
          .then(function (msg) {
            out.textContent = msg;
            input.setCustomValidity(msg);
          });
      }, 150);
    });
  });
})();
