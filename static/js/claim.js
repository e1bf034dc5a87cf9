// A shipped prize's claim page: the address from the form, or from WeChat's wx.openAddress,
// sent as JSON; the server checks every field and answers each one it refuses.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("claim-data").textContent);
  var t = data.t;
  var open = document.getElementById("sim-open");
  if (open) {
    // The demo's stand-in for opening the red packet in WeChat's chat (the simulator plays WeChat).
    open.addEventListener("click", function () {
      fetch(data.sim_base + "/sim/pay/redpacks/" + encodeURIComponent(open.getAttribute("data-billno")) + "/open", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ openid: data.openid })
      }).then(function (reply) {
        document.getElementById("open-msg").textContent = reply.ok ? t.opened : t.error;
        open.disabled = reply.ok;
      }, function () { document.getElementById("open-msg").textContent = t.network; });
    });
  }
  var claim = document.getElementById("claim-button");
  if (claim) {
    claim.addEventListener("click", function () {
      claim.disabled = true;
      fetch(data.claim_post_url, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json" }, body: "{}"
      }).then(function (reply) {
        return reply.json().then(function (answer) {
          if (reply.ok) { location.reload(); return; }
          document.getElementById("claim-msg").textContent = (answer.error && answer.error.message) || t.error;
        });
      }, function () { claim.disabled = false; document.getElementById("claim-msg").textContent = t.network; });
    });
  }
  var form = document.getElementById("address-form");
  if (!form) { return; }
  var message = document.getElementById("address-msg");
  // wx.openAddress's answer fields, by the form's names.
  var WX = { recipient: "userName", phone: "telNumber", province: "provinceName", city: "cityName", district: "countyName", detail: "detailInfo" };

  function showErrors(fields) {
    form.querySelectorAll(".field-error").forEach(function (node) {
      var text = fields[node.getAttribute("data-for")];
      node.textContent = text || "";
      node.hidden = !text;
    });
  }

  function send() {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (field) { if (field.name) { body[field.name] = field.value; } });
    message.textContent = "";
    return fetch(data.address_url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body)
    }).then(function (reply) {
      return reply.json().then(function (answer) {
        if (reply.ok) { message.textContent = t.saved; location.reload(); return; }
        var error = answer.error || {};
        showErrors(error.fields || {});
        message.textContent = error.message || t.error;
      });
    }, function () { message.textContent = t.network; });
  }

  function fromWeChat(answer) {
    Object.keys(WX).forEach(function (name) {
      var field = form.elements[name];
      var value = answer[WX[name]] || "";
      if (field.tagName === "SELECT" && value && !Array.prototype.some.call(field.options, function (o) { return o.value === value; })) {
        field.add(new Option(value, value));
      }
      field.value = value;
    });
    send();
  }

  function openAddress() {
    if (!(window.wx && window.wx.openAddress)) { message.textContent = t.wx_unavailable; return; }
    window.wx.openAddress({ success: fromWeChat, fail: function () { message.textContent = t.wx_unavailable; } });
  }

  // wx.config, signed by the server for this page, once the async JS-SDK script has run.
  function configureWx(tries) {
    if (!document.querySelector("script[data-jssdk]")) { return; }
    if (!(window.wx && window.wx.config)) {
      if (tries < 100) { setTimeout(function () { configureWx(tries + 1); }, 150); }
      return;
    }
    var page = location.href.split("#")[0];
    fetch(data.wx_config_url + "?url=" + encodeURIComponent(page), { credentials: "same-origin" })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (config) { if (config) { window.wx.config(config); } }, function () {});
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); send(); });
  document.getElementById("wx-address").addEventListener("click", openAddress);
  configureWx(0);
})();
