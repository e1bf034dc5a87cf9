// The staff redemption page: look a code up, show the coupon, confirm; camera scan where supported.
(function () {
  "use strict";
  var root = document.getElementById("redeem");
  var codeInput = document.getElementById("code");
  var storeInput = document.getElementById("store");
  var card = document.getElementById("coupon");
  var confirmButton = document.getElementById("confirm");
  var message = document.getElementById("message");
  var csrf = document.querySelector('meta[name="csrf-token"]');
  // Texts come translated from the template.
  var TEXT = JSON.parse(document.getElementById("redeem-text").textContent);

  function post(url) {
    var headers = {"Content-Type": "application/json", "Accept": "application/json"};
    if (csrf) headers["X-CSRFToken"] = csrf.content;
    return fetch(url, {
      method: "POST", headers: headers, credentials: "same-origin",
      body: JSON.stringify({code: codeInput.value, store_id: parseInt(storeInput.value, 10)})
    }).then(function (r) {
      return r.json().then(function (body) { return {ok: r.ok, body: body}; });
    });
  }

  function say(text, ok) {
    message.textContent = text;
    message.className = "message " + (ok ? "ok" : "refused");
    message.hidden = false;
  }

  function day(iso) { return iso ? iso.slice(0, 10) : "…"; }

  function show(coupon) {
    document.getElementById("c-prize").textContent = coupon.prize;
    document.getElementById("c-campaign").textContent = coupon.campaign;
    document.getElementById("c-valid").textContent = day(coupon.valid_from) + " – " + day(coupon.valid_until);
    var state = TEXT[coupon.state] || coupon.state;
    if (coupon.state === "redeemed" && coupon.redeemed_by) state += " (" + coupon.redeemed_by + ")";
    document.getElementById("c-state").textContent = state;
    confirmButton.hidden = !(coupon.state === "issued" || coupon.state === "added");
    card.hidden = false;
  }

  function lookUp() {
    message.hidden = true;
    card.hidden = true;
    return post(root.dataset.lookupUrl).then(function (res) {
      if (res.ok) show(res.body); else say(res.body.error.message, false);
    }).catch(function () { say(TEXT.offline, false); });
  }

  document.getElementById("lookup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    lookUp();
  });

  confirmButton.addEventListener("click", function () {
    confirmButton.disabled = true;
    post(root.dataset.confirmUrl).then(function (res) {
      if (res.ok) { show(res.body); say(TEXT.done + " " + res.body.prize, true); }
      else say(res.body.error.message, false);
    }).catch(function () { say(TEXT.offline, false); })
      .then(function () { confirmButton.disabled = false; });
  });

  // Camera scanning needs BarcodeDetector (Chrome on Android, recent WebViews); typing always works.
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    var scanButton = document.getElementById("scan");
    var video = document.getElementById("camera");
    scanButton.hidden = false;
    scanButton.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({formats: ["qr_code"]});
      var started = Date.now();
      navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}}).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        function stop() { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; }
        function tick() {
          if (Date.now() - started > 60000) { stop(); return; }  // give up after a minute
          detector.detect(video).then(function (codes) {
            if (codes.length) { stop(); codeInput.value = codes[0].rawValue; lookUp(); }
            else setTimeout(tick, 250);
          }).catch(function () { setTimeout(tick, 250); });
        }
        tick();
      }).catch(function () { say(TEXT.no_camera, false); });
    });
  }
})();
